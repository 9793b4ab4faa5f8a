package io.podrouter.backend;

import io.netty.util.NetUtil;
import io.podrouter.config.HostAndPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket address connections to a server (or the directory) go to, resolved away from the
 * event loops.
 *
 * <p>Given a host name, Netty's bootstrap resolves it with the JDK on the event loop at every
 * connect: once the JVM's cache (30 s) has let the answer expire, a DNS query blocks every
 * connection on that loop for as long as the resolver takes (seconds, when it is down), and even
 * an IP literal is parsed into new objects per connect. Here an IP literal is parsed once. A name
 * is resolved when the configuration loads, and again, on a thread of its own, when a connect
 * finds the last answer older than 30 s; connects go on to the last good answer meanwhile. A name
 * that has never resolved fails its connects at once and is asked again at most once a second.
 */
public final class ServerAddress {
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(30);
    static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final Logger log = LoggerFactory.getLogger(ServerAddress.class);
    private static final Executor RESOLVING = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "podrouter-dns");
        thread.setDaemon(true);
        return thread;
    });

    /** What resolves a name: the JDK's resolver, or a test's. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress resolve(String host) throws UnknownHostException;
    }

    /** The last answer: an address (null while the name never resolved), why not, and when it was asked. */
    private record Answer(InetSocketAddress address, String failure, long askedAt) {
    }

    private final HostAndPort configured;
    /** As configured: the access log names the server of every request, so it is made once. */
    private final String text;
    private final Resolver resolver;
    private final long refreshNanos;
    private final long retryNanos;
    private final boolean literal;
    private final AtomicBoolean resolving = new AtomicBoolean();
    private volatile Answer answer;

    private ServerAddress(HostAndPort configured, Resolver resolver, long refreshNanos, long retryNanos) {
        this.configured = configured;
        this.text = configured.toString();
        this.resolver = resolver;
        this.refreshNanos = refreshNanos;
        this.retryNanos = retryNanos;
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(configured.host());
        this.literal = ip != null;
        this.answer = literal ? new Answer(new InetSocketAddress(ip, configured.port()), null, System.nanoTime())
                : ask(null);
    }

    /** Resolves {@code configured} now (blocking: call it off the event loops, as a configuration loads). */
    public static ServerAddress of(HostAndPort configured) {
        return new ServerAddress(configured, InetAddress::getByName, REFRESH_NANOS, RETRY_NANOS);
    }

    /** With this resolver, asked again after these intervals (for tests). */
    static ServerAddress of(HostAndPort configured, Resolver resolver, long refreshNanos, long retryNanos) {
        return new ServerAddress(configured, resolver, refreshNanos, retryNanos);
    }

    public HostAndPort configured() {
        return configured;
    }

    /**
     * Where to connect now, or null when the name has never resolved ({@link #failure} says why).
     * Never blocks: a due refresh runs on the resolving thread.
     */
    public InetSocketAddress current() {
        Answer now = answer;
        if (!literal) {
            long age = System.nanoTime() - now.askedAt;
            if (age >= (now.address == null ? retryNanos : refreshNanos) && resolving.compareAndSet(false, true)) {
                RESOLVING.execute(() -> {
                    try {
                        answer = ask(answer);
                    } finally {
                        resolving.set(false);
                    }
                });
            }
        }
        return now.address;
    }

    /** Why the name has no address, or null when it has one. */
    public String failure() {
        Answer now = answer;
        return now.address == null ? now.failure : null;
    }

    /** What to tell a connect that found no address: why the name did not resolve. */
    String whyNoAddress() {
        String why = failure();
        // Null only when an answer came in since the connect looked.
        return why != null ? why : "cannot resolve " + configured.host();
    }

    private Answer ask(Answer last) {
        long now = System.nanoTime();
        InetAddress ip;
        try {
            ip = resolver.resolve(configured.host());
        } catch (UnknownHostException | RuntimeException e) {
            String message = e.getMessage() != null ? e.getMessage() : e.toString();
            // The JDK's message starts with the name already.
            String why = "cannot resolve " + (message.contains(configured.host()) ? message : configured.host() + ": " + message);
            if (last == null || last.failure == null) {
                log.warn("{}{}", why, last != null && last.address != null
                        ? "; connecting to its last address, " + last.address.getAddress().getHostAddress() : "");
            }
            return new Answer(last == null ? null : last.address, why, now);
        }
        InetSocketAddress address = new InetSocketAddress(ip, configured.port());
        if (last != null && (last.failure != null || !last.address.getAddress().equals(ip))) {
            log.info("{} resolves to {}{}", configured.host(), ip.getHostAddress(),
                    last.address == null || last.address.getAddress().equals(ip) ? ""
                            : " (was " + last.address.getAddress().getHostAddress() + ")");
        }
        return new Answer(address, null, now);
    }

    @Override
    public String toString() {
        return text;
    }
}
