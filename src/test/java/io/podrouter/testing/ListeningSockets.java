package io.podrouter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP sockets this process is listening on, read from Linux's /proc: the socket inodes among
 * the process's open files, matched against the kernel's socket tables in the LISTEN state. It
 * shows that something bound nothing that stayed, without guessing which port it would have used.
 */
public final class ListeningSockets {
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** How many TCP sockets (IPv4 and IPv6) this process listens on now. */
    public static int count() throws IOException {
        return count(-1);
    }

    /** How many TCP sockets (IPv4 and IPv6) this process listens on now on {@code port}. */
    public static int onPort(int port) throws IOException {
        return count(port);
    }

    /** @param port the port to count, or -1 for every port */
    private static int count(int port) throws IOException {
        Set<String> mine = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        mine.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed since it was listed
                }
            }
        }
        String portSuffix = port < 0 ? "" : ":" + String.format(Locale.ROOT, "%04X", port);
        int n = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path p = Path.of(table);
            if (!Files.exists(p)) {
                continue;
            }
            List<String> lines = Files.readAllLines(p);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                if (f.length > 9 && f[3].equals(LISTEN) && mine.contains(f[9]) && f[1].endsWith(portSuffix)) {
                    n++;
                }
            }
        }
        return n;
    }
}
