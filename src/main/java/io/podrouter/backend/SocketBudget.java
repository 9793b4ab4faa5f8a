package io.podrouter.backend;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many sockets the process may hold, client and server connections together, so that new
 * server connections stop short of its file-descriptor limit instead of failing at it.
 *
 * <p>At 10,000 clients a proxy that opens a server connection per request in flight reaches the
 * limit ({@code ulimit -n}) within a second of a burst: each connect past it fails, and its request got
 * a 503. With the budget, a request that finds it spent waits for a connection to its server that
 * another request gives back ({@link UpstreamPool#await}). A reserve of the limit stays for what
 * the budget does not count: log and map files, the admin API, the JVM's own descriptors.
 */
public final class SocketBudget {
    /** The process's: its file-descriptor limit, less a reserve. */
    public static final SocketBudget PROCESS = new SocketBudget(forLimit(maxFileDescriptors()));

    private final long limit;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();

    /** @param limit sockets that may be open at once */
    public SocketBudget(long limit) {
        this.limit = limit;
    }

    /** The budget for a file-descriptor limit: 5% of it (at least 100) stays in reserve. */
    static long forLimit(long fileDescriptors) {
        return Math.max(1, fileDescriptors - Math.max(100, fileDescriptors / 20));
    }

    /** The soft limit on open files, or effectively none where the JVM cannot tell. */
    private static long maxFileDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            if (max > 0) {
                return max;
            }
        }
        return Integer.MAX_VALUE;
    }

    /** A socket was opened (a client accepted, a server connection started). */
    public void opened() {
        open.incrementAndGet();
        opened.incrementAndGet();
    }

    /** A socket counted by {@link #opened()} was closed. */
    public void closed() {
        open.decrementAndGet();
    }

    /** Whether another server connection may be opened now. */
    public boolean hasRoom() {
        return open.get() < limit;
    }

    /** Sockets opened since the process started, closed or not. */
    public long openedSoFar() {
        return opened.get();
    }

    /** Sockets open now. */
    public int open() {
        return open.get();
    }

    public long limit() {
        return limit;
    }
}
