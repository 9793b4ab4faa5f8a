package io.podrouter;

import io.podrouter.config.ConfigError;
import io.podrouter.config.ConfigException;
import io.podrouter.config.ConfigReader;
import io.podrouter.config.PodrouterConfig;
import io.podrouter.listener.Transport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podrouter check -c FILE}: validates a configuration and its map file; exit 0 when valid, 2 otherwise. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Check a configuration and its map file; list every error with file, line and key.")
final class CheckCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, description = "the configuration file (YAML)")
    Path config;

    @Override
    public Integer call() {
        try {
            PodrouterConfig cfg = ConfigReader.read(config);
            Transport transport = transportHere(config, cfg);
            if (transport == null) {
                return 2; // valid as written, but `run` would refuse it on this machine
            }
            System.out.printf("%s: OK (%d listeners, %d backends, %d map entries; transport here: %s)%n",
                    config, cfg.listeners().size(), cfg.backends().size(), cfg.routing().entries().size(),
                    transport.description());
            return 0;
        } catch (ConfigException e) {
            printErrors(e);
            return 2;
        }
    }

    /**
     * The transport {@code cfg} gets on this machine; null, with the reason on stderr, when the one
     * it names does not load here (check and run answer it alike).
     */
    static Transport transportHere(Path config, PodrouterConfig cfg) {
        try {
            return Transport.of(cfg.transport());
        } catch (IllegalStateException e) {
            System.err.println(config + ": " + e.getMessage());
            return null;
        }
    }

    static void printErrors(ConfigException e) {
        for (ConfigError error : e.errors()) {
            System.err.println(error);
        }
        System.err.printf("%d error%s%n", e.errors().size(), e.errors().size() == 1 ? "" : "s");
    }
}
