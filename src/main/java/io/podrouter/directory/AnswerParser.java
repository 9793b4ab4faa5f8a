package io.podrouter.directory;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads a directory response: {@code 200} with a plain-text backend name or JSON
 * {@code {"backend": "pod1", "ttl": 300}}, {@code 404} for "not a tenant", anything else a failure.
 * {@code Cache-Control: max-age} gives the TTL unless the JSON body has its own.
 */
final class AnswerParser {
    private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])max-age\\s*=\\s*\"?(\\d{1,9})\"?");
    private static final LoadSettings JSON = LoadSettings.builder().setMaxAliasesForCollections(0).setCodePointLimit(64 * 1024).build();

    private AnswerParser() {
    }

    static DirectoryAnswer parse(FullHttpResponse response) {
        int status = response.status().code();
        Duration maxAge = maxAge(response.headers().get(HttpHeaderNames.CACHE_CONTROL));
        if (status == 404) {
            return new DirectoryAnswer.NotTenant(maxAge);
        }
        if (status != 200) {
            return new DirectoryAnswer.Failed("directory answered " + response.status());
        }
        String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        String mediaType = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase();
        String body = response.content().toString(StandardCharsets.UTF_8).trim();
        if (mediaType.equals("application/json") || (mediaType.isEmpty() && body.startsWith("{"))) {
            return json(body, maxAge);
        }
        if (!mediaType.isEmpty() && !mediaType.equals("text/plain")) {
            return new DirectoryAnswer.Failed("directory answered with content type '" + type + "', not text or JSON");
        }
        if (body.isEmpty()) {
            return new DirectoryAnswer.Failed("directory answered 200 with an empty body");
        }
        return new DirectoryAnswer.Tenant(body, maxAge);
    }

    private static DirectoryAnswer json(String body, Duration maxAge) {
        Object parsed;
        try {
            parsed = new Load(JSON).loadFromString(body);
        } catch (RuntimeException e) {
            return new DirectoryAnswer.Failed("directory answered malformed JSON");
        }
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("backend") instanceof String backend) || backend.isBlank()) {
            return new DirectoryAnswer.Failed("directory's JSON answer has no \"backend\" string");
        }
        Object ttl = map.get("ttl");
        if (ttl instanceof Number n && n.longValue() >= 0) {
            return new DirectoryAnswer.Tenant(backend.trim(), Duration.ofSeconds(n.longValue()));
        }
        return new DirectoryAnswer.Tenant(backend.trim(), maxAge);
    }

    static Duration maxAge(String cacheControl) {
        if (cacheControl == null) {
            return null;
        }
        Matcher m = MAX_AGE.matcher(cacheControl.toLowerCase());
        return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : null;
    }
}
