package io.podrouter.routing;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.podrouter.config.RoutingConfig;
import java.util.Iterator;

/** Decides where a request goes, from its routing key and the route table. */
public final class RequestRouter {
    public static final Route.Refused MISSING_HOST = new Route.Refused(400, "missing Host header");
    public static final Route.Refused DUPLICATE_HOST = new Route.Refused(400, "more than one Host header");
    public static final Route.Refused INVALID_HOST = new Route.Refused(400, "invalid host name");
    public static final Route.Refused DUPLICATE_KEY = new Route.Refused(400, "more than one routing key header");
    public static final Route.Refused INVALID_KEY = new Route.Refused(400, "invalid routing key");

    private final RouteTable table;
    private final AsciiString keyHeader;
    private final Route.Refused unknown;

    public RequestRouter(RouteTable table, RoutingConfig config) {
        this.table = table;
        this.keyHeader = config.routesByHost() ? null : AsciiString.of(config.keyHeader().toLowerCase());
        this.unknown = new Route.Refused(config.unknown().hasBackend() ? 404 : config.unknown().status(), "no route for this host");
    }

    public Route route(HttpRequest request) {
        HttpHeaders headers = request.headers();
        CharSequence raw;
        if (keyHeader == null) {
            String uri = request.uri();
            if (RequestTarget.isAbsoluteForm(uri)) {
                raw = RequestTarget.authority(uri);
            } else {
                raw = headers.get(HttpHeaderNames.HOST);
                if (raw == null) {
                    return request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? unknownKey() : MISSING_HOST;
                }
                if (hasSecondValue(headers, HttpHeaderNames.HOST)) {
                    return DUPLICATE_HOST;
                }
            }
        } else {
            raw = headers.get(keyHeader);
            if (raw == null) {
                return unknownKey();
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
        return to != null ? to : unknown;
    }

    private Route unknownKey() {
        Route.To fallback = table.route(null);
        return fallback != null ? fallback : unknown;
    }

    private static boolean hasSecondValue(HttpHeaders headers, CharSequence name) {
        Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(name);
        values.next();
        return values.hasNext();
    }
}
