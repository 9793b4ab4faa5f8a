package io.podrouter;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.NoopAddressResolverGroup;
import io.podrouter.accesslog.AccessLog;
import io.podrouter.admin.AdminServer;
import io.podrouter.admin.RouterView;
import io.podrouter.backend.Pod;
import io.podrouter.config.ConfigException;
import io.podrouter.config.ConfigReader;
import io.podrouter.config.HostAndPort;
import io.podrouter.config.ListenerConfig;
import io.podrouter.config.PodrouterConfig;
import io.podrouter.config.Sizes;
import io.podrouter.directory.RouteCache;
import io.podrouter.fleet.RouteChangeStream;
import io.podrouter.listener.ProxyListener;
import io.podrouter.listener.Transport;
import io.podrouter.proxy.ClientConnections;
import io.podrouter.proxy.RequestMetrics;
import io.podrouter.routing.Route;
import io.podrouter.routing.RouteTable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running router: event loops, listeners, and the current {@link Generation} of pods and routes,
 * which a reload replaces while requests in flight finish on the one they started with.
 */
public final class Podrouter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Podrouter.class);

    private final Transport transport;
    private final EventLoopGroup workers;
    private final Generation.Shared shared;
    private final List<AutoCloseable> closeables;
    private final List<ProxyListener> listeners = new ArrayList<>();
    private volatile InetSocketAddress adminAddress;
    private volatile RouteChangeStream routeChanges;
    private boolean stopped;
    private volatile Generation current;

    private Podrouter(Transport transport, EventLoopGroup workers, Generation.Shared shared,
                      List<AutoCloseable> closeables, Generation first) {
        this.transport = transport;
        this.workers = workers;
        this.shared = shared;
        this.closeables = closeables;
        this.current = first;
    }

    public static Podrouter start(PodrouterConfig config) throws InterruptedException {
        return start(config, Transport.of(config.transport()));
    }

    public static Podrouter start(PodrouterConfig config, Transport transport) throws InterruptedException {
        EventLoopGroup workers = transport.newGroup(config.eventLoopThreads(), "podrouter-io");
        // Directory lookups' I/O, apart from the clients' (see DirectoryClient): idle but for misses.
        EventLoopGroup directoryLoop = transport.newQuietGroup("podrouter-directory");
        List<AutoCloseable> closeables = new ArrayList<>();
        closeables.add(() -> directoryLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
        Podrouter router = null;
        try {
            AccessLog accessLog = null;
            if (config.accessLog().enabled()) {
                try {
                    accessLog = new AccessLog(config.accessLog());
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot open the access log " + config.accessLog().path() + ": "
                            + e.getMessage(), e);
                }
                closeables.add(accessLog);
            }
            Generation.Shared shared = new Generation.Shared(connections(config, transport), workers,
                    directoryLoop.next(), new ClientConnections(), new RequestMetrics(), accessLog);
            router = new Podrouter(transport, workers, shared, closeables, Generation.build(config, shared, null));
            Podrouter self = router;
            Fleet fleet = Fleet.start(config, () -> self.current.cache, warmToken(config));
            closeables.add(0, fleet);
            router.routeChanges = fleet.stream();
            if (config.admin() != null) {
                EventLoopGroup adminLoop = transport.newQuietGroup("podrouter-admin");
                closeables.add(() -> adminLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
                AdminServer admin = AdminServer.start(config.admin(), new View(router), adminLoop, transport.serverChannel());
                closeables.add(0, admin);
                router.adminAddress = admin.localAddress();
            }
            for (ListenerConfig l : config.listeners()) {
                router.listeners.add(router.bind(l));
            }
            log.info("podrouter {} started: transport {}, {} event loops, {} pods, {} map entries, listening on {}",
                    Main.version(), transport.description(), config.eventLoopThreads(), router.current.pods.size(),
                    config.routing().entries().size(), router.addresses());
            return router;
        } catch (RuntimeException | InterruptedException e) {
            if (router != null) {
                router.listeners.forEach(ProxyListener::close);
                router.current.retire();
            }
            for (AutoCloseable c : closeables) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    /** The peers' admin token for --warm-from: PODROUTER_WARM_TOKEN, else this router's own admin token. */
    private static String warmToken(PodrouterConfig config) {
        String env = System.getenv("PODROUTER_WARM_TOKEN");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        return config.admin() == null ? null : config.admin().token();
    }

    private ProxyListener bind(ListenerConfig listener) throws InterruptedException {
        try {
            return ProxyListener.bind(listener, transport, workers, () -> current.settings);
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + listener.bind() + ": " + e.getMessage(), e);
        }
    }

    /** What the proxy counts per request, across reloads (the admin API serves it as metrics). */
    public RequestMetrics requestMetrics() {
        return shared.metrics();
    }

    /** Options for every outgoing connection, to servers and to the directory. */
    private static Bootstrap connections(PodrouterConfig config, Transport transport) {
        return new Bootstrap()
                .channel(transport.socketChannel())
                // Addresses come resolved (ServerAddress): nothing may resolve a name on an event loop.
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.timeouts().connect().toMillis()));
    }

    /**
     * Re-reads the configuration file and switches to it. An invalid file changes nothing. The
     * switch is atomic for new requests; requests in flight finish on the old settings; cached
     * directory answers and map entries set at run time are kept.
     *
     * @return the errors that kept the configuration as it was; empty when it switched
     */
    public synchronized List<String> reload() {
        Generation old = current;
        PodrouterConfig config;
        try {
            config = ConfigReader.read(old.config.source());
        } catch (ConfigException e) {
            List<String> errors = e.errors().stream().map(Object::toString).toList();
            errors.forEach(err -> log.error("reload refused, configuration kept: {}", err));
            return errors;
        }
        List<String> notes = new ArrayList<>();
        if (config.eventLoopThreads() != old.config.eventLoopThreads()) {
            notes.add("threads");
        }
        if (config.transport() != old.config.transport()) {
            notes.add("transport");
        }
        if (!java.util.Objects.equals(config.admin(), old.config.admin())) {
            notes.add("admin");
        }
        if (!config.accessLog().equals(old.config.accessLog())) {
            notes.add("access-log");
        }
        if (!config.logging().equals(old.config.logging())) {
            notes.add("logging");
        }
        if (!config.timeouts().connect().equals(old.config.timeouts().connect())) {
            notes.add("timeouts.connect");
        }
        if (!java.util.Objects.equals(config.routing().invalidation(), old.config.routing().invalidation())) {
            notes.add("routing.invalidation");
        }
        // Everything that can fail is prepared before anything changes: the pods with their TLS
        // contexts, the new listeners' certificates, then the binds.
        List<String> errors = new ArrayList<>();
        java.util.Map<String, Pod> pods = null;
        try {
            pods = Generation.preparePods(config, shared);
        } catch (RuntimeException e) {
            errors.add(e.getMessage());
        }
        List<ProxyListener.Prepared> prepared = new ArrayList<>();
        for (ListenerConfig l : config.listeners()) {
            if (listeners.stream().noneMatch(p -> p.configured().equals(l))) {
                try {
                    prepared.add(ProxyListener.prepare(l));
                } catch (Exception e) {
                    errors.add("TLS of listener " + l.bind() + ": " + e.getMessage());
                }
            }
        }
        if (errors.isEmpty()) {
            // New addresses bind first; a listener that replaces one on its address (other TLS
            // settings) binds only once the old one is closed, so it goes last.
            prepared.sort(java.util.Comparator.comparing(p -> replacing(p.config()) != null));
            errors.addAll(bindAll(prepared));
        }
        if (!errors.isEmpty()) {
            prepared.forEach(ProxyListener.Prepared::discard);
            errors.forEach(err -> log.error("reload refused, configuration kept: {}", err));
            return errors;
        }
        Generation next;
        try {
            next = Generation.build(config, shared, old, pods);
        } catch (RuntimeException e) {
            // Not expected (what can fail was prepared above), but a reload must not half-happen.
            added.forEach(ProxyListener::close);
            added.clear();
            restoreReplaced();
            log.error("reload refused, configuration kept: {}", e.toString(), e);
            return List.of(String.valueOf(e.getMessage()));
        }
        current = next;
        old.retire();
        java.util.Set<ListenerConfig> wanted = new java.util.HashSet<>(config.listeners());
        List<ProxyListener> removed = listeners.stream().filter(p -> !wanted.contains(p.configured())).toList();
        removed.stream().filter(p -> !replaced.contains(p)).forEach(ProxyListener::close);
        listeners.removeAll(removed);
        listeners.addAll(added);
        added.clear();
        replaced.clear();
        log.info("reloaded {}: {} pods, {} map entries, listening on {}{}", config.source(), next.pods.size(),
                config.routing().entries().size(), addresses(),
                notes.isEmpty() ? "" : "; changes to " + String.join(", ", notes) + " take effect at the next restart");
        return List.of();
    }

    /** Bound by the reload in progress, not yet in {@link #listeners}. */
    private final List<ProxyListener> added = new ArrayList<>();
    /** Closed by the reload in progress so that a listener with other settings can take their address. */
    private final List<ProxyListener> replaced = new ArrayList<>();

    /** The running listener on the address of {@code l}, which {@code l} replaces, or null (always for port 0: any free port will do). */
    private ProxyListener replacing(ListenerConfig l) {
        if (l.bind().port() == 0) {
            return null;
        }
        return listeners.stream().filter(p -> p.configured().bind().equals(l.bind()) && !replaced.contains(p))
                .findFirst().orElse(null);
    }

    /**
     * Binds the prepared listeners in order. When one fails, those bound are closed again and
     * those closed to make room are bound again, so that the listeners are what they were.
     *
     * @return the error, or nothing when every listener is bound (in {@link #added})
     */
    private List<String> bindAll(List<ProxyListener.Prepared> prepared) {
        for (var it = prepared.iterator(); it.hasNext(); ) {
            ProxyListener.Prepared p = it.next();
            ProxyListener old = replacing(p.config());
            if (old != null) {
                old.close();
                replaced.add(old);
            }
            try {
                it.remove(); // bind() discards it when it fails
                added.add(ProxyListener.bind(p, transport, workers, () -> current.settings));
            } catch (Exception e) {
                added.forEach(ProxyListener::close);
                added.clear();
                restoreReplaced();
                return List.of("cannot listen on " + p.config().bind() + ": " + e.getMessage());
            }
        }
        return List.of();
    }

    private void restoreReplaced() {
        for (ProxyListener old : replaced) {
            try {
                listeners.set(listeners.indexOf(old), bind(old.configured()));
            } catch (Exception e) {
                log.error("reload: could not listen on {} again: {}", old.configured().bind(), e.getMessage());
                listeners.remove(old);
            }
        }
        replaced.clear();
    }

    /** Where the admin API listens, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The cache of directory answers, or null when no directory is configured. */
    public RouteCache<Route> routeCache() {
        return current.cache;
    }

    /** The reader of the stream of tenant moves, or null when routing.invalidation is off. */
    public RouteChangeStream routeChanges() {
        return routeChanges;
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
        stop(current.config.shutdownGrace());
    }

    private synchronized void stop(Duration allowed) {
        if (stopped) {
            return; // close() after stopGracefully(), or a second signal
        }
        stopped = true;
        listeners.forEach(ProxyListener::close);
        ClientConnections clients = shared.clients();
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
        current.retire();
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c, e.toString());
            }
        }
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        log.info("podrouter stopped");
    }

    /** The admin listener's view: always the current generation. */
    private record View(Podrouter router) implements RouterView {
        @Override
        public RouteTable table() {
            return router.current.table;
        }

        @Override
        public RouteCache<Route> cache() {
            return router.current.cache;
        }

        @Override
        public java.util.Collection<Pod> pods() {
            return router.current.pods.values();
        }

        @Override
        public RequestMetrics requestMetrics() {
            return router.shared.metrics();
        }

        @Override
        public ClientConnections clients() {
            return router.shared.clients();
        }

        @Override
        public java.nio.file.Path persistedMap() {
            var routing = router.current.config.routing();
            return routing.mapPersist() ? routing.map() : null;
        }

        @Override
        public List<String> reload() {
            return router.reload();
        }

        @Override
        public RouteChangeStream routeChanges() {
            return router.routeChanges;
        }
    }
}
