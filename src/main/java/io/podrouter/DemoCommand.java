package io.podrouter;

import io.netty.channel.EventLoopGroup;
import io.podrouter.config.ConfigReader;
import io.podrouter.config.HostAndPort;
import io.podrouter.demo.DemoPod;
import io.podrouter.demo.SelfSignedCertificate;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.listener.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code podrouter demo}: three demo pods, the reference directory with a few tenants, and the
 * router in front of them, all in this process; prints curl lines to try, stops on Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo pods, a tenant directory and the router on 127.0.0.1, and print curl lines to try.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "router port on 127.0.0.1 (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--tls-port", defaultValue = "8443",
            description = "HTTPS port on 127.0.0.1, with a self-signed certificate made at start (default: ${DEFAULT-VALUE})")
    int tlsPort;

    @Override
    public Integer call() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "demo");
        List<AutoCloseable> running = new ArrayList<>();
        Path dir = Files.createTempDirectory("podrouter-demo");
        dir.toFile().deleteOnExit();

        StringBuilder backends = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            DemoPod pod = DemoPod.start("pod" + i, "127.0.0.1", 0, group, transport.serverChannel());
            running.add(pod);
            backends.append("  pod").append(i).append(":\n    servers:\n      - address: 127.0.0.1:")
                    .append(pod.localAddress().getPort()).append('\n');
        }

        Path directoryMap = write(dir, "directory.map", """
                # tenants only the directory knows (the router asks it, then caches the answer)
                acme.example.com     pod1
                globex.example.com   pod2
                """);
        DirectoryServer directory = DirectoryServer.start(directoryMap, HostAndPort.parse("127.0.0.1:0"), group,
                transport.serverChannel());
        running.add(directory);

        write(dir, "backend.map", """
                # tenants the router knows from its own map file
                tenant1.example.com  pod0
                tenant2.example.com  pod1
                """);
        var certificate = SelfSignedCertificate.write(dir, "demo",
                List.of("tenant1.example.com", "*.example.com", "localhost"), false);
        certificate.cert().toFile().deleteOnExit();
        certificate.key().toFile().deleteOnExit();
        Path config = write(dir, "podrouter.yaml", """
                listeners:
                  - bind: 127.0.0.1:%d
                  - bind: 127.0.0.1:%d
                    tls: { certificates: [ { cert: demo.pem, key: demo.key } ] }
                routing:
                  map: backend.map
                  directory:
                    url: http://127.0.0.1:%d/rest/private/gds/backend/{key}
                admin:
                  bind: 127.0.0.1:0
                access-log:
                  path: access.log
                backends:
                %s""".formatted(port, tlsPort, directory.localAddress().getPort(), backends));

        Podrouter router;
        try {
            router = Podrouter.start(ConfigReader.read(config));
        } catch (Exception e) {
            running.forEach(DemoCommand::closeQuietly);
            group.shutdownGracefully();
            System.err.println("podrouter demo: cannot start the router on 127.0.0.1:" + port + " and " + tlsPort + ": "
                    + e.getMessage() + "\n(is a port taken? try: bin/podrouter demo --port 18080 --tls-port 18443)");
            return 1;
        }
        String base = "http://127.0.0.1:" + port;
        System.out.printf("""

                podrouter demo is running: router on %1$s, three pods, tenant directory on %2$s
                Try, in another terminal:

                  curl -H 'Host: tenant1.example.com' %1$s/hello    # in the map file: pod0
                  curl -H 'Host: acme.example.com' %1$s/hello       # asked of the directory once, then cached: pod1
                  curl -i -H 'Host: nobody.example.com' %1$s/       # neither knows it: 404
                  curl -i -H 'Host: bad/host' %1$s/                 # not a host name: 400, never looked up
                  curl -k --resolve acme.example.com:%6$d:127.0.0.1 https://acme.example.com:%6$d/   # HTTPS, self-signed

                Move a tenant in the directory:  curl -X PUT -d pod0 http://%2$s%3$sglobex.example.com
                The router's map, at run time:   curl http://127.0.0.1:%4$d/maps
                Stats page (open in a browser):  http://127.0.0.1:%4$d/stats     metrics: http://127.0.0.1:%4$d/metrics
                Access log:                      %5$s
                Stop with Ctrl-C.
                %n""", base, directory.localAddress().getHostString() + ":" + directory.localAddress().getPort(),
                DirectoryServer.PREFIX, router.adminAddress().getPort(), dir.resolve("access.log"), tlsPort);

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            router.close();
            running.forEach(DemoCommand::closeQuietly);
            group.shutdownGracefully().syncUninterruptibly();
            stopped.countDown();
        }, "demo-shutdown"));
        RunCommand.markRunning();
        stopped.await();
        return 0;
    }

    private static Path write(Path dir, String name, String text) throws java.io.IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        p.toFile().deleteOnExit();
        return p;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down anyway
        }
    }
}
