package io.podrouter.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What a test needs to run {@code podrouter run} as a child process: a config, the java, a class path. */
public final class ChildRouter {
    private ChildRouter() {
    }

    /**
     * Writes {@code dir/podrouter.yaml}: a listener on 127.0.0.1 port 0, the map {@code
     * tenant.example.com -> pod0} ({@code dir/backend.map}), pod0 with one server at {@code
     * server}, then {@code more} (top-level YAML lines).
     */
    public static Path config(Path dir, String server, String more) throws IOException {
        Files.writeString(dir.resolve("backend.map"), "tenant.example.com pod0\n");
        Path config = dir.resolve("podrouter.yaml");
        Files.writeString(config, """
                listeners:
                  - bind: 127.0.0.1:0
                routing:
                  map: backend.map
                backends:
                  pod0:
                    servers: [ { address: %s } ]
                """.formatted(server) + more);
        return config;
    }

    /** The java running the tests. */
    public static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The tests' class path without the test classes (and so without logback-test.xml): what podrouter ships with. */
    public static String mainClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }
}
