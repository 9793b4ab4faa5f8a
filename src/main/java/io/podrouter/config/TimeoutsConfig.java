package io.podrouter.config;

import java.time.Duration;

/**
 * @param connect opening a connection to a server
 * @param server from the end of the request to the response head
 * @param keepAlive how long an idle client connection is kept open between requests
 * @param queue how long a request may wait in its pod's queue for a free server
 */
public record TimeoutsConfig(Duration connect, Duration server, Duration keepAlive, Duration queue) {
    public static final TimeoutsConfig DEFAULTS = new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60),
            Duration.ofSeconds(60), Duration.ofSeconds(5));
}
