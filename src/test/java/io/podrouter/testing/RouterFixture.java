package io.podrouter.testing;

import io.podrouter.Podrouter;
import io.podrouter.config.ConfigReader;
import io.podrouter.config.PodrouterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a configuration and map file into a directory and starts a router from them on
 * 127.0.0.1 port 0, the way {@code podrouter run} would.
 */
public final class RouterFixture {
    private final Path dir;
    private final Map<String, String> backends = new LinkedHashMap<>();
    private final StringBuilder map = new StringBuilder();
    private String extra = "";
    private final StringBuilder listeners = new StringBuilder();
    private final StringBuilder routing = new StringBuilder();

    public RouterFixture(Path dir) {
        this.dir = dir;
    }

    /** Adds a pod whose servers are the given backends. */
    public RouterFixture pod(String name, TestBackend... servers) {
        StringBuilder s = new StringBuilder("  " + name + ":\n    servers:\n");
        for (TestBackend b : servers) {
            s.append("      - address: ").append(b.address()).append('\n');
        }
        backends.put(name, s.toString());
        return this;
    }

    /** Adds a pod whose servers are raw addresses (for refused or unreachable servers). */
    public RouterFixture pod(String name, String... addresses) {
        StringBuilder s = new StringBuilder("  " + name + ":\n    servers:\n");
        for (String a : addresses) {
            s.append("      - address: ").append(a).append('\n');
        }
        backends.put(name, s.toString());
        return this;
    }

    /**
     * Adds a pod written in YAML: the body of {@code backends.<name>}, indented from column 0,
     * e.g. {@code "balance: leastconn\nservers:\n  - { address: 127.0.0.1:9001, maxconn: 5 }\n"}.
     */
    public RouterFixture podYaml(String name, String yaml) {
        StringBuilder s = new StringBuilder("  " + name + ":\n");
        yaml.stripIndent().lines().forEach(l -> s.append("    ").append(l).append('\n'));
        backends.put(name, s.toString());
        return this;
    }

    public RouterFixture route(String host, String pod) {
        map.append(host).append(' ').append(pod).append('\n');
        return this;
    }

    /** Extra top-level YAML (timeouts, limits, trusted-proxies...). */
    public RouterFixture yaml(String yaml) {
        this.extra = yaml;
        return this;
    }

    /**
     * More of the {@code routing:} section (directory, cache...), written as if at the top level:
     * each line is indented under {@code routing:}.
     */
    public RouterFixture routing(String yaml) {
        for (String line : yaml.stripTrailing().split("\n")) {
            routing.append("  ").append(line).append('\n');
        }
        return this;
    }

    /** Another listener, as YAML list items under {@code listeners:} (the first is always plain HTTP on port 0). */
    public RouterFixture listener(String yaml) {
        listeners.append(yaml);
        return this;
    }

    public Path writeConfig() throws IOException {
        Files.writeString(dir.resolve("backend.map"), map.toString());
        StringBuilder y = new StringBuilder("listeners:\n  - bind: 127.0.0.1:0\n").append(listeners)
                .append("routing:\n  map: backend.map\n");
        y.append(routing).append("backends:\n");
        backends.values().forEach(y::append);
        y.append(extra);
        Path config = dir.resolve("podrouter.yaml");
        Files.writeString(config, y.toString());
        return config;
    }

    public Podrouter start() throws Exception {
        PodrouterConfig config = ConfigReader.read(writeConfig());
        return Podrouter.start(config);
    }
}
