package io.podrouter.directory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.podrouter.config.ConfigError;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.MapEntry;
import io.podrouter.config.MapFile;
import io.podrouter.http.SmallHttpServer;
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
 *
 * The seed's HAProxy Lua asks in HTTP/0.9 ({@code GET /rest/private/gds/backend/{key}\r\n}, read
 * to end of stream): it gets the bare backend name, or nothing for a key that is no tenant.
 */
public final class DirectoryServer implements AutoCloseable {
    public static final String PREFIX = "/rest/private/gds/backend/";
    private static final Logger log = LoggerFactory.getLogger(DirectoryServer.class);

    /** Told of every change of where a tenant lives: the key, and its backend or null when it is no tenant any more. */
    public interface Moves {
        Moves NONE = (key, backend) -> { };

        void moved(String key, String backend);
    }

    private final Path mapFile;
    private final Moves moves;
    private volatile Map<String, String> fromFile = Map.of();
    /** Changes made with PUT and DELETE, over the file's entries; a null backend (Optional.empty) is a deletion. */
    private final Map<String, Optional<String>> changes = new ConcurrentHashMap<>();
    private final LongAdder lookups = new LongAdder();
    private final ScheduledExecutorService watcher;
    private volatile Channel channel;
    private FileTime loadedVersion;

    private DirectoryServer(Path mapFile, ScheduledExecutorService watcher, Moves moves) {
        this.mapFile = mapFile;
        this.moves = moves;
        this.watcher = watcher;
    }

    /**
     * @param mapFile tenants to start from, or null for none
     * @param group the event loops to serve on (the caller owns them)
     */
    public static DirectoryServer start(Path mapFile, HostAndPort bind, EventLoopGroup group,
                                        Class<? extends ServerChannel> channelType) throws InterruptedException {
        return start(mapFile, bind, group, channelType, Moves.NONE);
    }

    /** @param moves told of every change made with PUT or DELETE, or found when the map file is re-read */
    public static DirectoryServer start(Path mapFile, HostAndPort bind, EventLoopGroup group,
                                        Class<? extends ServerChannel> channelType, Moves moves)
            throws InterruptedException {
        ScheduledExecutorService watcher = mapFile == null ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "directory-map-watcher");
            t.setDaemon(true);
            return t;
        });
        DirectoryServer server = new DirectoryServer(mapFile, watcher, moves);
        server.channel = SmallHttpServer.bind(bind.host(), bind.port(), group, channelType, 64 * 1024,
                () -> new SimpleRequestAnswerer(server::simpleAnswer), () -> server.new Handler());
        if (mapFile != null) {
            server.reloadIfChanged();
            watcher.scheduleWithFixedDelay(server::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
        }
        log.info("tenant directory listening on {} with {} tenants{}", server.channel.localAddress(), server.tenants(),
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
        moves.moved(key, backend);
    }

    /** The tenant key a (decoded) request path names, or null when it is not under {@link #PREFIX}. */
    private static String keyOf(String path) {
        if (!path.startsWith(PREFIX) || path.length() == PREFIX.length()) {
            return null;
        }
        return path.substring(PREFIX.length()).toLowerCase();
    }

    /** A lookup, counted: the key's backend, or null when it is no tenant. */
    private String lookUp(String key) {
        lookups.increment();
        return backendOf(key);
    }

    /** The answer to the seed's HTTP/0.9 lookup of {@code uri}: the backend, or null. */
    private String simpleAnswer(String uri) {
        String key = keyOf(new QueryStringDecoder(uri).path());
        return key == null ? null : lookUp(key);
    }

    public boolean delete(String key) {
        boolean existed = backendOf(key) != null;
        changes.put(key, Optional.empty());
        if (existed) {
            moves.moved(key, null);
        }
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
            Map<String, String> before = fromFile;
            fromFile = tenants;
            if (loadedVersion != null) {
                log.info("re-read {}: {} tenants", mapFile, tenants.size());
                publishDifferences(before, tenants);
            }
            loadedVersion = version;
        } catch (IOException e) {
            log.warn("cannot read {}: {}", mapFile, e.toString());
        }
    }

    /** Tells of each tenant the file moved, added or removed, unless a PUT or DELETE overrides the file for it. */
    private void publishDifferences(Map<String, String> before, Map<String, String> after) {
        for (Map.Entry<String, String> e : after.entrySet()) {
            if (!changes.containsKey(e.getKey()) && !e.getValue().equals(before.get(e.getKey()))) {
                moves.moved(e.getKey(), e.getValue());
            }
        }
        for (String key : before.keySet()) {
            if (!after.containsKey(key) && !changes.containsKey(key)) {
                moves.moved(key, null);
            }
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
            if (path.equals("/stats")) {
                reply(ctx, request, HttpResponseStatus.OK, "lookups " + lookups() + "\ntenants " + tenants() + "\n");
                return;
            }
            String key = keyOf(path);
            if (key == null) {
                reply(ctx, request, HttpResponseStatus.NOT_FOUND, "no such resource\n");
                return;
            }
            HttpMethod method = request.method();
            if (HttpMethod.GET.equals(method)) {
                String backend = lookUp(key);
                if (backend == null) {
                    reply(ctx, request, HttpResponseStatus.NOT_FOUND, "not a tenant\n");
                } else {
                    reply(ctx, request, HttpResponseStatus.OK, backend);
                }
            } else if (HttpMethod.PUT.equals(method)) {
                String backend = request.content().toString(StandardCharsets.UTF_8).trim();
                if (backend.isEmpty()) {
                    reply(ctx, request, HttpResponseStatus.BAD_REQUEST, "the body must be the backend name\n");
                    return;
                }
                put(key, backend);
                log.info("{} moved to {}", key, backend);
                reply(ctx, request, HttpResponseStatus.NO_CONTENT, "");
            } else if (HttpMethod.DELETE.equals(method)) {
                boolean existed = delete(key);
                log.info("{} removed", key);
                reply(ctx, request, existed ? HttpResponseStatus.NO_CONTENT : HttpResponseStatus.NOT_FOUND, "");
            } else {
                reply(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "GET, PUT or DELETE\n");
            }
        }

        private void reply(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String body) {
            SmallHttpServer.reply(ctx, request, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }
    }
}
