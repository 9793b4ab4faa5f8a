package io.podrouter;

import io.podrouter.config.ConfigException;
import io.podrouter.config.ConfigReader;
import io.podrouter.config.PodrouterConfig;
import io.podrouter.config.Sizes;
import io.podrouter.config.WarmStartConfig;
import io.podrouter.listener.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podrouter run -c FILE}: runs the router in the foreground until SIGTERM or SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the router in the foreground (logs to stdout).")
final class RunCommand implements Callable<Integer> {
    private static volatile boolean running;

    @Option(names = {"-c", "--config"}, required = true, description = "the configuration file (YAML)")
    Path config;

    @Option(names = "--warm-from", split = ",", paramLabel = "URL",
            description = "before listening, copy cached directory answers from these running peers' admin APIs "
                    + "(e.g. http://10.0.0.5:9900); the token is PODROUTER_WARM_TOKEN or admin.token")
    List<String> warmFrom;

    @Option(names = "--jit-warm-up", paramLabel = "MAX", defaultValue = "30s",
            converter = DurationConverter.class,
            description = "before listening, traffic through a private copy of the router until the JIT compilers "
                    + "go quiet, so that the first real requests meet compiled code; at most this long "
                    + "(0s: none; default ${DEFAULT-VALUE})")
    Duration jitWarmUp;

    /** A duration as the configuration file writes them (500ms, 3s, 1m). */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Sizes.duration(value);
        }
    }

    /** SIGHUP reloads the configuration, as with most servers. */
    @SuppressWarnings("restriction")
    private static void onHangUp(Podrouter router) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                Thread t = new Thread(router::reload, "podrouter-reload");
                t.start();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // No SIGHUP on this platform: POST /reload on the admin listener still works.
        }
    }

    static boolean isRunning() {
        return running;
    }

    /** A command that keeps serving after it returns from picocli's call sets this, so main does not exit. */
    static void markRunning() {
        running = true;
    }

    @Override
    public Integer call() throws Exception {
        PodrouterConfig cfg;
        try {
            cfg = ConfigReader.read(config);
        } catch (ConfigException e) {
            CheckCommand.printErrors(e);
            return 2;
        }
        if (warmFrom != null && !warmFrom.isEmpty()) {
            List<String> peers = new ArrayList<>();
            for (String peer : warmFrom) {
                try {
                    peers.add(WarmStartConfig.checkedPeer(peer));
                } catch (IllegalArgumentException e) {
                    System.err.println("--warm-from: " + e.getMessage());
                    return 2;
                }
            }
            if (cfg.routing().directory() == null) {
                System.err.println("--warm-from: needs routing.directory: only directory answers are cached");
                return 2;
            }
            cfg = cfg.withRouting(cfg.routing().withWarmStart(cfg.routing().warmStart().withWarmFrom(peers)));
        }
        LogFormat.use(cfg.logging());
        Transport transport = CheckCommand.transportHere(config, cfg);
        if (transport == null) {
            return 2;
        }
        JitWarmUp.run(jitWarmUp, transport);
        OldGenerationGoal.startIfParallel();
        Podrouter router = Podrouter.start(cfg, transport);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.stopGracefully();
            stopped.countDown();
        }, "podrouter-shutdown"));
        onHangUp(router);
        running = true;
        stopped.await();
        return 0;
    }
}
