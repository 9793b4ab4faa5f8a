package io.podrouter;

import io.netty.channel.EventLoopGroup;
import io.podrouter.config.HostAndPort;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.listener.Transport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podrouter directory --map FILE --bind ADDR}: runs the reference tenant directory. */
@Command(name = "directory", mixinStandardHelpOptions = true,
        description = "Run the reference tenant directory, serving the directory protocol from a map file.")
final class DirectoryCommand implements Callable<Integer> {

    @Option(names = "--map", description = "tenants, one '<key> <backend>' per line (re-read when it changes)")
    Path map;

    @Option(names = "--bind", defaultValue = "127.0.0.1:6280", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--threads", defaultValue = "1", description = "event loops (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(threads, "directory");
        DirectoryServer server = DirectoryServer.start(map, HostAndPort.parse(bind), group, transport.serverChannel());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            group.shutdownGracefully().syncUninterruptibly();
            stopped.countDown();
        }, "directory-shutdown"));
        RunCommand.markRunning();
        stopped.await();
        return 0;
    }
}
