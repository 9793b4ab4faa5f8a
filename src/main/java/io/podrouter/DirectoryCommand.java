package io.podrouter;

import io.netty.channel.EventLoopGroup;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.InvalidationConfig;
import io.podrouter.directory.DirectoryServer;
import io.podrouter.fleet.RouteChangePublisher;
import io.podrouter.listener.Transport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
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

    @Option(names = "--redis", description = "publish every move to this Redis (redis://host:port/db) for routers to apply")
    String redis;

    @Option(names = "--stream", defaultValue = InvalidationConfig.DEFAULT_STREAM,
            description = "the Redis stream to publish moves to (default: ${DEFAULT-VALUE})")
    String stream;

    @Option(names = "--threads", defaultValue = "1", description = "event loops (default: ${DEFAULT-VALUE})")
    int threads;

    @Override
    public Integer call() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(threads, "directory");
        RouteChangePublisher publisher = null;
        DirectoryServer.Moves moves = DirectoryServer.Moves.NONE;
        if (redis != null) {
            InvalidationConfig target = new InvalidationConfig(InvalidationConfig.checkedRedisUri(redis), stream,
                    InvalidationConfig.DEFAULT_TTL_WHILE_DISCONNECTED);
            publisher = new RouteChangePublisher(target.redis(), target.redisForDisplay(), stream);
            moves = publisher::publish;
            LoggerFactory.getLogger(DirectoryCommand.class).info("publishing tenant moves to stream {} on {}", stream,
                    target.redisForDisplay());
        }
        DirectoryServer server = DirectoryServer.start(map, HostAndPort.parse(bind), group, transport.serverChannel(), moves);
        RouteChangePublisher published = publisher;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            if (published != null) {
                published.close();
            }
            group.shutdownGracefully().syncUninterruptibly();
            stopped.countDown();
        }, "directory-shutdown"));
        RunCommand.markRunning();
        stopped.await();
        return 0;
    }
}
