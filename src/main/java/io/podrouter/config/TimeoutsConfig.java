package io.podrouter.config;

import java.time.Duration;

/**
 * @param connect opening a connection to a server
 * @param server from the end of the request to the response head
 * @param keepAlive how long an idle client connection is kept open between requests
 */
public record TimeoutsConfig(Duration connect, Duration server, Duration keepAlive) {
    public static final TimeoutsConfig DEFAULTS =
            new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
}
