package io.podrouter.directory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.podrouter.config.ConfigError;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.MapEntry;
import io.podrouter.config.MapFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference tenant directory: serves the directory protocol from a map file (re-read when it
 * changes), with {@code PUT} and {@code DELETE} to move tenants at run time. For demos, tests,
 * benchmarks, and as a starting point for a real one.
 *
 * <pre>
 * GET    /rest/private/gds/backend/{key}   200 text backend | 404
 * PUT    /rest/private/gds/backend/{key}   body: backend name; 204
 * DELETE /rest/private/gds/backend/{key}   204 | 404
 * GET    /stats                            lookups and tenants, as text
 * </pre>
 */
public final class DirectoryServer implements AutoCloseable {
    public static final String PREFIX = "/rest/private/gds/backend/";
    private static final Logger log = LoggerFactory.getLogger(DirectoryServer.class);

    private final Path mapFile;
    private volatile Map<String, String> fromFile = Map.of();
    /** Changes made with PUT and DELETE, over the file's entries; a null backend (Optional.empty) is a deletion. */
    private final Map<String, Optional<String>> changes = new ConcurrentHashMap<>();
    private final LongAdder lookups = new LongAdder();
    private final Channel channel;
    private final ScheduledExecutorService watcher;
    private FileTime loadedVersion;

    private DirectoryServer(Path mapFile, Channel channel, ScheduledExecutorService watcher) {
        this.mapFile = mapFile;
        this.channel = channel;
        this.watcher = watcher;
    }

    /**
     * @param mapFile tenants to start from, or null for none
     * @param group the event loops to serve on (the caller owns them)
     */
    public static DirectoryServer start(Path mapFile, HostAndPort bind, EventLoopGroup group,
                                        Class<? extends ServerChannel> channelType) throws InterruptedException {
        ScheduledExecutorService watcher = mapFile == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "directory-map-watcher");
            t.setDaemon(true);
            return t;
        });
        DirectoryServer[] self = new DirectoryServer[1];
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(channelType)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), self[0].new Handler());
                    }
                })
                .bind(bind.host(), bind.port()).sync().channel();
        DirectoryServer server = new DirectoryServer(mapFile, ch, watcher);
        self[0] = server;
        if (mapFile != null) {
            server.reloadIfChanged();
            watcher.scheduleWithFixedDelay(server::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
        }
        log.info("tenant directory listening on {} with {} tenants{}", ch.localAddress(), server.tenants(),
                mapFile == null ? "" : " from " + mapFile);
        return server;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Lookups (GET requests for a key) answered so far. */
    public long lookups() {
        return lookups.sum();
    }

    public int tenants() {
        int n = 0;
        for (String key : fromFile.keySet()) {
            if (!changes.containsKey(key)) {
                n++;
            }
        }
        for (Optional<String> v : changes.values()) {
            if (v.isPresent()) {
                n++;
            }
        }
        return n;
    }

    /** Where {@code key} lives, or null when it is no tenant. */
    public String backendOf(String key) {
        Optional<String> changed = changes.get(key);
        return changed != null ? changed.orElse(null) : fromFile.get(key);
    }

    public void put(String key, String backend) {
        changes.put(key, Optional.of(backend));
    }

    public boolean delete(String key) {
        boolean existed = backendOf(key) != null;
        changes.put(key, Optional.empty());
        return existed;
    }

    private synchronized void reloadIfChanged() {
        try {
            FileTime version = Files.getLastModifiedTime(mapFile);
            if (version.equals(loadedVersion)) {
                return;
            }
            List<ConfigError> errors = new ArrayList<>();
            List<MapEntry> entries = MapFile.read(mapFile, errors);
            errors.forEach(e -> log.warn("map file: {}", e));
            Map<String, String> tenants = new ConcurrentHashMap<>();
            for (MapEntry e : entries) {
                tenants.put(e.key().toLowerCase(), e.backend());
            }
            fromFile = tenants;
            if (loadedVersion != null) {
                log.info("re-read {}: {} tenants", mapFile, tenants.size());
            }
            loadedVersion = version;
        } catch (IOException e) {
            log.warn("cannot read {}: {}", mapFile, e.toString());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        channel.close().syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = new QueryStringDecoder(request.uri()).path();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (path.equals("/stats")) {
                reply(ctx, HttpResponseStatus.OK, "lookups " + lookups() + "\ntenants " + tenants() + "\n", keepAlive);
                return;
            }
            if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
                reply(ctx, HttpResponseStatus.NOT_FOUND, "no such resource\n", keepAlive);
                return;
            }
            String key = path.substring(PREFIX.length()).toLowerCase();
            HttpMethod method = request.method();
            if (HttpMethod.GET.equals(method)) {
                lookups.increment();
                String backend = backendOf(key);
                if (backend == null) {
                    reply(ctx, HttpResponseStatus.NOT_FOUND, "not a tenant\n", keepAlive);
                } else {
                    reply(ctx, HttpResponseStatus.OK, backend, keepAlive);
                }
            } else if (HttpMethod.PUT.equals(method)) {
                String backend = request.content().toString(StandardCharsets.UTF_8).trim();
                if (backend.isEmpty()) {
                    reply(ctx, HttpResponseStatus.BAD_REQUEST, "the body must be the backend name\n", keepAlive);
                    return;
                }
                put(key, backend);
                log.info("{} moved to {}", key, backend);
                reply(ctx, HttpResponseStatus.NO_CONTENT, "", keepAlive);
            } else if (HttpMethod.DELETE.equals(method)) {
                boolean existed = delete(key);
                log.info("{} removed", key);
                reply(ctx, existed ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.NOT_FOUND, "", keepAlive);
            } else {
                reply(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET, PUT or DELETE\n", keepAlive);
            }
        }

        private void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(response, bytes.length);
            if (keepAlive) {
                ctx.writeAndFlush(response, ctx.voidPromise());
            } else {
                HttpUtil.setKeepAlive(response, false);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
