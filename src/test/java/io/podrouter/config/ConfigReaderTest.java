package io.podrouter.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podrouter.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigReaderTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final String VALID = """
            listeners:
              - bind: 127.0.0.1:8080
            routing:
              map: backend.map
            backends:
              pod0:
                servers:
                  - address: 127.0.0.1:9001
              pod1:
                servers:
                  - address: 127.0.0.1:9002
            """;

    @Test
    void theShippedExampleIsValid() throws Exception {
        PodrouterConfig config = ConfigReader.read(Path.of("examples/podrouter.yaml"));
        assertThat(config.backends()).containsKeys("pod0", "pod1", "pod2");
        assertThat(config.routing().entries()).isNotEmpty();
    }

    @Test
    void defaultsApplyWhereKeysAreMissing() throws Exception {
        write("backend.map", "a.example.com pod0\n# comment\n\nb.example.com pod1 # trailing comment\n");
        PodrouterConfig config = ConfigReader.read(write("c.yaml", VALID));
        assertThat(config.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
        assertThat(config.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(config.routing().unknown()).isEqualTo(UnknownRoute.NOT_FOUND);
        assertThat(config.routing().entries()).extracting(MapEntry::key, MapEntry::backend, MapEntry::line)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a.example.com", "pod0", 1),
                        org.assertj.core.groups.Tuple.tuple("b.example.com", "pod1", 4));
        // Sized for 10,000 busy clients: connections per server bounded, the rest queued, idle ones kept.
        assertThat(config.backends().values()).allSatisfy(b -> {
            assertThat(b.maxQueue()).isEqualTo(10_000);
            assertThat(b.servers()).allSatisfy(srv -> assertThat(srv.maxconn()).isEqualTo(10_000));
        });
        assertThat(config.pool().maxIdle()).isEqualTo(10_000);
    }

    @Test
    void durationsAndSizesAreParsed() throws Exception {
        write("backend.map", "");
        PodrouterConfig config = ConfigReader.read(write("c.yaml", VALID + """
                timeouts: { connect: 500ms, server: 30s, keep-alive: 5m }
                limits: { max-header-size: 16KiB, max-request-line: 4096 }
                trusted-proxies: [ 10.0.0.0/8, "::1" ]
                """));
        assertThat(config.timeouts()).isEqualTo(new TimeoutsConfig(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(5), TimeoutsConfig.DEFAULTS.queue(), TimeoutsConfig.DEFAULTS.client(), TimeoutsConfig.DEFAULTS.idle(), TimeoutsConfig.DEFAULTS.tunnel()));
        assertThat(config.limits().maxHeaderSize()).isEqualTo(16 * 1024);
        assertThat(config.limits().maxRequestLine()).isEqualTo(4096);
        assertThat(config.trustedProxies()).hasSize(2);
    }

    @Test
    void everyErrorIsReportedWithFileLineAndKey() throws Exception {
        write("backend.map", "a.example.com pod0\nb.example.com pod9\n");
        Path config = write("c.yaml", """
                listeners:
                  - bind: 127.0.0.1:8080
                routing:
                  map: backend.map
                  unknwn: { status: 404 }
                backends:
                  pod0:
                    servers:
                      - address: 127.0.0.1:99999
                timeouts:
                  server: 10 s
                """);
        assertThatThrownBy(() -> ConfigReader.read(config))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
                    assertThat(errors).hasSize(4);
                    assertThat(errors).anySatisfy(s -> assertThat(s).startsWith(config + ":5: routing.unknwn: unknown key"));
                    assertThat(errors).anySatisfy(s -> assertThat(s).startsWith(config + ":9: backends.pod0.servers[0].address: port out of range"));
                    assertThat(errors).anySatisfy(s -> assertThat(s).startsWith(config + ":11: timeouts.server: expected a duration"));
                    assertThat(errors).anySatisfy(s -> assertThat(s).startsWith(dir.resolve("backend.map") + ":2: b.example.com: unknown backend 'pod9'"));
                });
    }

    @Test
    void checkCommandExitsZeroWhenValidAndTwoListingErrors() throws Exception {
        write("backend.map", "a.example.com pod0\n");
        Path good = write("good.yaml", VALID);
        Path bad = write("bad.yaml", VALID.replace("address: 127.0.0.1:9002", "address: not-an-address"));
        assertThat(run("check", "-c", good.toString()).code).isZero();
        Result r = run("check", "-c", bad.toString());
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains(bad + ":11: backends.pod1.servers[0].address: expected host:port");
    }

    @Test
    void transportIsAutoUnlessNamedAndAnUnknownOneIsAnError() throws Exception {
        write("backend.map", "a.example.com pod0\n");
        assertThat(ConfigReader.read(write("a.yaml", VALID)).transport()).isEqualTo(TransportChoice.AUTO);
        assertThat(ConfigReader.read(write("e.yaml", VALID + "transport: epoll\n")).transport()).isEqualTo(TransportChoice.EPOLL);
        assertThat(ConfigReader.read(write("u.yaml", VALID + "transport: io_uring\n")).transport()).isEqualTo(TransportChoice.IO_URING);
        Path bad = write("bad.yaml", VALID + "transport: fast\n");
        assertThatThrownBy(() -> ConfigReader.read(bad))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.errors().get(0).toString())
                        .isEqualTo(bad + ":12: transport: expected auto, io_uring, epoll or nio, got 'fast'"));
    }

    @Test
    void yamlSyntaxErrorsNameTheLine() throws Exception {
        Path config = write("c.yaml", "listeners:\n  - bind: [unclosed\n");
        assertThatThrownBy(() -> ConfigReader.read(config))
                .isInstanceOfSatisfying(ConfigException.class, e ->
                        assertThat(e.errors().get(0).toString()).startsWith(config + ":").contains("not valid YAML"));
    }

    private record Result(int code, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldErr = System.err;
        PrintStream oldOut = System.out;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            int code = new CommandLine(new Main()).execute(args);
            return new Result(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
    }
}
