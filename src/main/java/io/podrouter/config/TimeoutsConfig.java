package io.podrouter.config;

import java.time.Duration;

/**
 * @param connect opening a connection to a server (then 504)
 * @param server from the end of the request to the response head (then 504)
 * @param keepAlive how long an idle client connection is kept open between requests
 * @param queue how long a request may wait in its pod's queue for a free server (then 503)
 * @param client the longest silence while a request body is being received (then 408)
 * @param idle the longest silence from a server while its response body streams (then the response is cut)
 * @param tunnel the longest silence both ways on an upgraded connection (WebSocket) before it is closed
 */
public record TimeoutsConfig(Duration connect, Duration server, Duration keepAlive, Duration queue, Duration client,
                             Duration idle, Duration tunnel) {
    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofHours(1));
}
