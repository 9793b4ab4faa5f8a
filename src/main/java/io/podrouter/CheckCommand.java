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
            Transport transport;
            try {
                transport = Transport.of(cfg.transport());
            } catch (IllegalStateException e) {
                // Valid as written, but `run` would refuse it on this machine.
                System.err.println(config + ": " + e.getMessage());
                return 2;
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

    static void printErrors(ConfigException e) {
        for (ConfigError error : e.errors()) {
            System.err.println(error);
        }
        System.err.printf("%d error%s%n", e.errors().size(), e.errors().size() == 1 ? "" : "s");
    }
}
