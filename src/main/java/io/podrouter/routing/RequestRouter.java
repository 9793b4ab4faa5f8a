package io.podrouter.routing;

import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.podrouter.config.RoutingConfig;
import io.podrouter.directory.RouteCache;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Decides where a request goes: static entries first, then the cache of directory answers; a key
 * neither knows is a {@link Route.Lookup} for the directory, or, without a directory, unknown.
 */
public final class RequestRouter {
    public static final Route.Refused MISSING_HOST = new Route.Refused(400, "missing Host header");
    public static final Route.Refused DUPLICATE_HOST = new Route.Refused(400, "more than one Host header");
    public static final Route.Refused INVALID_HOST = new Route.Refused(400, "invalid host name");
    public static final Route.Refused DUPLICATE_KEY = new Route.Refused(400, "more than one routing key header");
    public static final Route.Refused INVALID_KEY = new Route.Refused(400, "invalid routing key");
    public static final Route.Refused INVALID_ANSWER =
            new Route.Refused(502, "the tenant directory's answer names no configured backend");
    public static final Route.Refused DIRECTORY_FAILED =
            new Route.Refused(503, "the tenant directory is unavailable", 5);

    private final RouteTable table;
    private final RouteCache<Route> cache;
    private final AsciiString keyHeader;
    private final boolean bySni;
    private final Route unknown;

    /** @param cache the directory's answers, or null when there is no directory */
    public RequestRouter(RouteTable table, RouteCache<Route> cache, RoutingConfig config) {
        this.table = table;
        this.cache = cache;
        this.bySni = config.routesBySni();
        this.keyHeader = config.routesByHost() || bySni ? null : AsciiString.of(config.keyHeader().toLowerCase());
        this.unknown = unknownRoute(table, config);
    }

    /** What answers a key that no entry and no directory knows. */
    public static Route unknownRoute(RouteTable table, RoutingConfig config) {
        return table.fallback() != null ? table.fallback()
                : new Route.Refused(config.unknown().status(), "no route for this host");
    }

    /**
     * Decides on the caller's event loop; a cache hit allocates nothing.
     *
     * @param sni the server name of the client's TLS handshake, or null
     */
    public Route route(HttpRequest request, String sni, EventLoop loop) {
        HttpHeaders headers = request.headers();
        CharSequence raw;
        if (bySni) {
            if (sni == null) {
                return unknown;
            }
            raw = sni;
        } else if (keyHeader == null) {
            String uri = request.uri();
            if (RequestTarget.isAbsoluteForm(uri)) {
                raw = RequestTarget.authority(uri);
            } else {
                raw = headers.get(HttpHeaderNames.HOST);
                if (raw == null) {
                    return request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? unknown : MISSING_HOST;
                }
                if (hasSecondValue(headers, HttpHeaderNames.HOST)) {
                    return DUPLICATE_HOST;
                }
            }
        } else {
            raw = headers.get(keyHeader);
            if (raw == null) {
                return unknown;
            }
            if (hasSecondValue(headers, keyHeader)) {
                return DUPLICATE_KEY;
            }
        }
        String key = RoutingKey.normalize(raw);
        if (key == null) {
            return keyHeader == null ? INVALID_HOST : INVALID_KEY;
        }
        Route.To to = table.route(key);
        if (to != null) {
            return to;
        }
        if (cache == null) {
            return unknown;
        }
        Route cached = cache.cached(key, loop);
        return cached != null ? cached : new Route.Lookup(key);
    }

    /** The canonical Host of a request (its absolute-form authority, else its Host header), or null. */
    public String hostKeyOf(HttpRequest request) {
        return RoutingKey.normalize(RequestTarget.isAbsoluteForm(request.uri())
                ? RequestTarget.authority(request.uri()) : request.headers().get(HttpHeaderNames.HOST));
    }

    /**
     * The routing key of a request as it came, before it is checked: the value {@link #route}
     * decides by (the Host, the absolute-form authority, the key header or the server name), or
     * null when there is none: the one place that says where a request's key is, for balancing
     * by key, counting tenants and the access log alike.
     */
    public String rawKeyOf(HttpRequest request, String sni) {
        if (bySni) {
            return sni;
        }
        if (keyHeader != null) {
            return request.headers().get(keyHeader);
        }
        return RequestTarget.isAbsoluteForm(request.uri()) ? RequestTarget.authority(request.uri())
                : request.headers().get(HttpHeaderNames.HOST);
    }

    /** Asks the directory about a {@link Route.Lookup}'s key; {@code then} runs on {@code loop}. */
    public void resolve(Route.Lookup lookup, EventLoop loop, Consumer<Route> then) {
        cache.resolve(lookup.key(), loop, then);
    }

    private static boolean hasSecondValue(HttpHeaders headers, CharSequence name) {
        Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(name);
        values.next();
        return values.hasNext();
    }
}
