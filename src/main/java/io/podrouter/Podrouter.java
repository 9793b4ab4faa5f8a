package io.podrouter;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.podrouter.accesslog.AccessLog;
import io.podrouter.admin.AdminServer;
import io.podrouter.admin.Metrics;
import io.podrouter.backend.HealthChecker;
import io.podrouter.backend.Pod;
import io.podrouter.backend.Server;
import io.podrouter.backend.UpstreamPool;
import com.github.benmanes.caffeine.cache.Ticker;
import io.podrouter.config.BackendConfig;
import io.podrouter.config.DirectoryConfig;
import io.podrouter.config.Sizes;
import io.podrouter.directory.DirectoryClient;
import io.podrouter.directory.RouteCache;
import io.podrouter.routing.Route;
import io.podrouter.config.ListenerConfig;
import io.podrouter.config.MapEntry;
import io.podrouter.config.PodrouterConfig;
import io.podrouter.config.ServerConfig;
import io.podrouter.listener.ProxyListener;
import io.podrouter.listener.Transport;
import io.podrouter.proxy.ClientConnections;
import io.podrouter.proxy.ProxySettings;
import io.podrouter.proxy.RequestMetrics;
import io.podrouter.proxy.UpstreamChannelInitializer;
import io.podrouter.routing.RequestRouter;
import io.podrouter.routing.RouteTable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running router: event loops, pods with their pools, and the listeners, built from one configuration. */
public final class Podrouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Podrouter.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<ProxyListener> listeners;
    private final RouteCache<Route> cache;
    private final ClientConnections clients;
    private final List<AutoCloseable> closeables;
    private final Duration grace;
    private final InetSocketAddress adminAddress;

    private Podrouter(EventLoopGroup boss, EventLoopGroup workers, List<ProxyListener> listeners, RouteCache<Route> cache,
                      ClientConnections clients, List<AutoCloseable> closeables, Duration grace,
                      InetSocketAddress adminAddress) {
        this.adminAddress = adminAddress;
        this.boss = boss;
        this.workers = workers;
        this.listeners = listeners;
        this.cache = cache;
        this.clients = clients;
        this.closeables = closeables;
        this.grace = grace;
    }

    /** Where the admin API listens, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The cache of directory answers, or null when no directory is configured. */
    public RouteCache<Route> routeCache() {
        return cache;
    }

    public static Podrouter start(PodrouterConfig config) throws InterruptedException {
        return start(config, Transport.best());
    }

    public static Podrouter start(PodrouterConfig config, Transport transport) throws InterruptedException {
        EventLoopGroup boss = transport.newGroup(1, "podrouter-accept");
        EventLoopGroup workers = transport.newGroup(config.eventLoopThreads(), "podrouter-io");
        List<ProxyListener> listeners = new ArrayList<>();
        List<AutoCloseable> closeables = new ArrayList<>();
        InetSocketAddress adminAddress = null;
        try {
            Bootstrap connections = connections(config, transport);
            Map<String, Pod> pods = pods(config, connections);
            Map<String, Pod> routes = new HashMap<>();
            for (MapEntry e : config.routing().entries()) {
                routes.put(e.key(), pods.get(e.backend()));
            }
            Pod fallback = config.routing().unknown().hasBackend() ? pods.get(config.routing().unknown().backend()) : null;
            RouteTable table = new RouteTable(pods.values(), routes, fallback);
            for (BackendConfig b : config.backends().values()) {
                if (b.check() != null) {
                    HealthChecker checker = new HealthChecker(pods.get(b.name()), b.check(), workers.next(), connections);
                    checker.start();
                    closeables.add(checker);
                }
            }
            RouteCache<Route> cache = null;
            DirectoryConfig directory = config.routing().directory();
            if (directory != null) {
                cache = new RouteCache<>(new DirectoryClient(directory, connections), config.routing().cache(),
                        table::routeToPod,
                        new RouteCache.Outcomes<>(RequestRouter.unknownRoute(table, config.routing()),
                                RequestRouter.INVALID_ANSWER, RequestRouter.DIRECTORY_FAILED),
                        Ticker.systemTicker());
                log.info("tenant directory: {} (timeout {}, cache of up to {} entries)", directory.urls(),
                        Sizes.formatDuration(directory.timeout()), config.routing().cache().maxEntries());
            }
            RequestRouter router = new RequestRouter(table, cache, config.routing());
            ClientConnections connectionsIn = new ClientConnections();
            RequestMetrics requestMetrics = new RequestMetrics();
            if (config.admin() != null) {
                Metrics metrics = new Metrics(pods.values(), requestMetrics, connectionsIn, cache);
                EventLoopGroup adminLoop = transport.newGroup(1, "podrouter-admin");
                closeables.add(() -> adminLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
                AdminServer admin = AdminServer.start(config.admin(), table, cache, metrics, requestMetrics, adminLoop,
                        transport.serverChannel());
                closeables.add(0, admin);
                adminAddress = admin.localAddress();
            }
            AccessLog accessLog = null;
            if (config.accessLog().enabled()) {
                try {
                    accessLog = new AccessLog(config.accessLog());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot open the access log " + config.accessLog().path() + ": " + e.getMessage(), e);
                }
                closeables.add(accessLog);
            }
            ProxySettings settings = new ProxySettings(router, config.timeouts(), config.trustedProxies(), "http",
                    connectionsIn, requestMetrics, accessLog);
            for (ListenerConfig l : config.listeners()) {
                listeners.add(ProxyListener.bind(l.bind(), transport, boss, workers, settings, config.limits(), config.timeouts()));
            }
            log.info("podrouter {} started: transport {}, {} event loops, {} pods, {} map entries, listening on {}",
                    Main.version(), transport.name(), config.eventLoopThreads(), pods.size(), routes.size(),
                    listeners.stream().map(ProxyListener::localAddress).map(InetSocketAddress::toString).toList());
            return new Podrouter(boss, workers, listeners, cache, connectionsIn, closeables, config.shutdownGrace(),
                    adminAddress);
        } catch (RuntimeException | InterruptedException e) {
            listeners.forEach(ProxyListener::close);
            for (AutoCloseable c : closeables) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** Options for every outgoing connection, to servers and to the directory. */
    private static Bootstrap connections(PodrouterConfig config, Transport transport) {
        return new Bootstrap()
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeouts().connect().toMillis()))
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    }

    private static Map<String, Pod> pods(PodrouterConfig config, Bootstrap connections) {
        Bootstrap upstream = connections.clone().handler(new UpstreamChannelInitializer(config.timeouts().idle(),
                config.pool().idleTimeout()));
        Map<String, Pod> pods = new LinkedHashMap<>();
        for (BackendConfig b : config.backends().values()) {
            List<Server> servers = new ArrayList<>();
            for (ServerConfig s : b.servers()) {
                servers.add(new Server(b.name(), s.address(), new UpstreamPool(s.address(), upstream,
                        config.pool().maxIdle()), s.maxconn(), s.weight(), s.backup(),
                        b.passiveFailures(), b.passiveCooldown().toNanos()));
            }
            pods.put(b.name(), new Pod(b.name(), servers, b.balance(), b.maxQueue(), config.timeouts().queue()));
        }
        return pods;
    }

    /** The bound addresses, in the order of the configuration's listeners. */
    public List<InetSocketAddress> addresses() {
        return listeners.stream().map(ProxyListener::localAddress).toList();
    }

    public int port() {
        return addresses().get(0).getPort();
    }

    /** Stops at once: closes the listeners and every connection. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    /**
     * Stops gracefully: refuses new connections at once, lets requests in flight finish for up
     * to {@code shutdown.grace}, then closes.
     */
    public void stopGracefully() {
        stop(grace);
    }

    private void stop(Duration allowed) {
        listeners.forEach(ProxyListener::close);
        int busy = clients.size();
        if (busy > 0 && !allowed.isZero()) {
            log.info("stopping: no longer accepting; waiting up to {} for {} client connections",
                    Sizes.formatDuration(allowed), busy);
        }
        try {
            int left = clients.drain(allowed);
            if (left > 0 && !allowed.isZero()) {
                log.warn("stopping: {} client connections were still busy after {}; closed them", left,
                        Sizes.formatDuration(allowed));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c, e.toString());
            }
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("podrouter stopped");
    }
}
