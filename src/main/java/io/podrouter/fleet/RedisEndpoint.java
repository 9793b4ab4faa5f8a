package io.podrouter.fleet;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Redis server as this process talks to it: a Lettuce client on one small I/O thread of its
 * own (never a router event loop), which fails commands at once while disconnected instead of
 * queueing them, and leaves reconnecting to the caller (so a reconnect can resume where it left off).
 */
final class RedisEndpoint implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final String display;

    /**
     * @param commandTimeout how long a command may take before the connection is given up
     *                       (for a blocking read: more than its block time)
     */
    RedisEndpoint(String uri, String display, Duration commandTimeout) {
        this.uri = RedisURI.create(uri);
        this.uri.setTimeout(commandTimeout);
        this.display = display;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
    }

    RedisURI uri() {
        return uri;
    }

    RedisClient client() {
        return client;
    }

    /** The URI without its password. */
    @Override
    public String toString() {
        return display;
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        resources.shutdown(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
