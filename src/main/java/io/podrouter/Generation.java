package io.podrouter;

import com.github.benmanes.caffeine.cache.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.podrouter.accesslog.AccessLog;
import io.podrouter.backend.HealthChecker;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.backend.ServerAddress;
import io.podrouter.backend.UpstreamPool;
import io.podrouter.config.BackendConfig;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.MapEntry;
import io.podrouter.config.PodrouterConfig;
import io.podrouter.config.ServerConfig;
import io.podrouter.directory.DirectoryClient;
import io.podrouter.directory.RouteCache;
import io.podrouter.proxy.ClientConnections;
import io.podrouter.proxy.ProxySettings;
import io.podrouter.proxy.RequestMetrics;
import io.podrouter.proxy.UpstreamChannelInitializer;
import io.podrouter.routing.RequestRouter;
import io.podrouter.routing.Route;
import io.podrouter.routing.RouteTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one configuration decides about where requests go: pods with their pools, the
 * route table, the directory and its cache, and the settings requests start with. A reload
 * builds a new one; requests in flight finish on the one they started with.
 */
final class Generation {
    private static final Logger log = LoggerFactory.getLogger(Generation.class);

    final PodrouterConfig config;
    final Map<String, Pod> pods;
    final RouteTable table;
    final RouteCache<Route> cache;
    final ProxySettings settings;
    private final List<HealthChecker> checkers = new ArrayList<>();

    /** What lives as long as the router: shared by every generation. */
    record Shared(Bootstrap connections, EventLoopGroup workers, EventLoop directoryLoop,
                  ClientConnections clients, RequestMetrics metrics, AccessLog accessLog) {
    }

    private Generation(PodrouterConfig config, Map<String, Pod> pods, RouteTable table, RouteCache<Route> cache,
                       ProxySettings settings) {
        this.config = config;
        this.pods = pods;
        this.table = table;
        this.cache = cache;
        this.settings = settings;
    }

    /**
     * Builds the parts of {@code config}; with a {@code previous} generation, its run-time map
     * changes and cached answers are kept (those naming a backend that is gone are dropped, with
     * a log line).
     */
    static Generation build(PodrouterConfig config, Shared shared, Generation previous) {
        return build(config, shared, previous, preparePods(config, shared));
    }

    /**
     * The pods of {@code config}, with their servers' TLS contexts: the part of a generation that
     * can fail (a {@code ca} file that holds no certificate, say), and that changes nothing
     * running. A reload prepares it before it binds or switches anything.
     *
     * @throws IllegalStateException naming the server whose TLS settings cannot be used
     */
    static Map<String, Pod> preparePods(PodrouterConfig config, Shared shared) {
        return pods(config, shared.connections());
    }

    /** Builds the generation from pods {@link #preparePods prepared} for {@code config}; nothing here fails on bad input. */
    static Generation build(PodrouterConfig config, Shared shared, Generation previous, Map<String, Pod> pods) {
        Map<String, Pod> routes = new HashMap<>();
        for (MapEntry e : config.routing().entries()) {
            routes.put(e.key(), pods.get(e.backend()));
        }
        Pod fallback = config.routing().unknown().hasBackend() ? pods.get(config.routing().unknown().backend()) : null;
        RouteTable table = new RouteTable(pods.values(), routes, fallback);
        if (previous != null) {
            for (String dropped : table.keepRuntimeChanges(previous.table)) {
                log.warn("reload: dropped the map entry {} set at run time: no such backend any more", dropped);
            }
        }
        RouteCache<Route> cache = cache(config, shared, table, previous);
        RequestRouter router = new RequestRouter(table, cache, config.routing());
        ProxySettings settings = new ProxySettings(router, config.timeouts(), config.trustedProxies(),
                shared.clients(), shared.metrics(), shared.accessLog(), config.limits());
        Generation g = new Generation(config, pods, table, cache, settings);
        for (BackendConfig b : config.backends().values()) {
            if (b.check() != null) {
                HealthChecker checker = new HealthChecker(pods.get(b.name()), b.check(), shared.workers().next(),
                        shared.connections());
                checker.start();
                g.checkers.add(checker);
            }
        }
        return g;
    }

    private static RouteCache<Route> cache(PodrouterConfig config, Shared shared, RouteTable table, Generation previous) {
        DirectoryConfig directory = config.routing().directory();
        if (directory == null) {
            return null;
        }
        RouteCache.Outcomes<Route> outcomes = new RouteCache.Outcomes<>(RequestRouter.unknownRoute(table, config.routing()),
                RequestRouter.INVALID_ANSWER, RequestRouter.DIRECTORY_FAILED);
        RouteCache<Route> old = previous == null ? null : previous.cache;
        DirectoryClient client = old != null && directory.equals(previous.config.routing().directory())
                ? old.directory() : new DirectoryClient(directory, shared.connections(), shared.directoryLoop());
        log.info("tenant directory: {} (timeout {}, cache of up to {} entries)", directory.urls(),
                io.podrouter.config.Sizes.formatDuration(directory.timeout()), config.routing().cache().maxEntries());
        if (old == null) {
            return new RouteCache<>(client, config.routing().cache(), table::routeToPod, outcomes, Ticker.systemTicker());
        }
        List<String> dropped = old.reconfigure(client, config.routing().cache(), table::routeToPod, outcomes,
                route -> route instanceof Route.To to ? table.routeToPod(to.pod().name()) : null);
        for (String key : dropped) {
            log.warn("reload: dropped the cached answer for {}: its backend is gone", key);
        }
        return old;
    }

    private static Map<String, Pod> pods(PodrouterConfig config, Bootstrap connections) {
        Bootstrap upstream = connections.clone().handler(new UpstreamChannelInitializer(config.timeouts().idle(),
                config.pool().idleTimeout()));
        Map<String, Pod> pods = new LinkedHashMap<>();
        for (BackendConfig b : config.backends().values()) {
            List<Server> servers = new ArrayList<>();
            for (ServerConfig s : b.servers()) {
                Bootstrap bootstrap = s.tls() == null ? upstream : connections.clone().handler(
                        new UpstreamChannelInitializer(config.timeouts().idle(), config.pool().idleTimeout(),
                                clientContext(b.name(), s), s.tls().sni() != null ? s.tls().sni() : s.address().host(),
                                s.address().port()));
                servers.add(new Server(b.name(), s.address(), new UpstreamPool(ServerAddress.of(s.address()), bootstrap,
                        config.pool().maxIdle()), s.maxconn(), s.weight(), s.backup(),
                        b.passiveFailures(), b.passiveCooldown().toNanos()));
            }
            pods.put(b.name(), new Pod(b.name(), servers, b.balance(), b.maxQueue(), config.timeouts().queue()));
        }
        return pods;
    }

    private static io.netty.handler.ssl.SslContext clientContext(String pod, ServerConfig server) {
        try {
            return UpstreamChannelInitializer.clientContext(server.tls());
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new IllegalStateException("TLS settings of server " + server.address() + " of pod " + pod + ": "
                    + e.getMessage(), e);
        }
    }

    /** Stops what this generation runs on its own (health checks); its pools empty as their connections idle out. */
    void retire() {
        checkers.forEach(HealthChecker::close);
    }
}
