package io.podrouter.admin;

import io.podrouter.backend.Pod;
import io.podrouter.directory.RouteCache;
import io.podrouter.fleet.RouteChangeStream;
import io.podrouter.proxy.ClientConnections;
import io.podrouter.proxy.RequestMetrics;
import io.podrouter.routing.Route;
import io.podrouter.routing.RouteTable;
import java.util.Collection;
import java.util.List;

/** What the admin listener sees of a running router: always its current configuration's parts. */
public interface RouterView {
    RouteTable table();

    /** The directory answers, or null when there is no directory. */
    RouteCache<Route> cache();

    Collection<Pod> pods();

    RequestMetrics requestMetrics();

    ClientConnections clients();

    /** The map file to write changed entries back to (routing.map-persist), or null. */
    java.nio.file.Path persistedMap();

    /** The reader of the stream of tenant moves, or null when there is none. */
    RouteChangeStream routeChanges();

    /** Re-reads the configuration file and switches to it; returns its errors (empty when it switched). */
    List<String> reload();
}
