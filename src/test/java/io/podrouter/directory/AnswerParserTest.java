package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnswerParserTest {

    private static DirectoryAnswer parse(int status, String contentType, String cacheControl, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        if (cacheControl != null) {
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
        }
        try {
            return AnswerParser.parse(r);
        } finally {
            r.release();
        }
    }

    @Test
    void plainTextIsTheBackendName() {
        assertThat(parse(200, "text/plain; charset=utf-8", null, "pod1\n")).isEqualTo(new DirectoryAnswer.Tenant("pod1", null));
        assertThat(parse(200, null, null, "  pod2 ")).isEqualTo(new DirectoryAnswer.Tenant("pod2", null));
    }

    @Test
    void cacheControlMaxAgeGivesTheTtl() {
        assertThat(parse(200, "text/plain", "public, max-age=30", "pod1")).isEqualTo(new DirectoryAnswer.Tenant("pod1", Duration.ofSeconds(30)));
        assertThat(parse(200, "text/plain", "Max-Age = \"7\"", "pod1")).isEqualTo(new DirectoryAnswer.Tenant("pod1", Duration.ofSeconds(7)));
        assertThat(parse(200, "text/plain", "s-maxage=30", "pod1")).isEqualTo(new DirectoryAnswer.Tenant("pod1", null));
        assertThat(parse(404, "text/plain", "max-age=60", "no")).isEqualTo(new DirectoryAnswer.NotTenant(Duration.ofSeconds(60)));
    }

    @Test
    void jsonGivesBackendAndTtlWhichWinsOverMaxAge() {
        assertThat(parse(200, "application/json", "max-age=5", "{\"backend\":\"pod1\",\"ttl\":300}"))
                .isEqualTo(new DirectoryAnswer.Tenant("pod1", Duration.ofSeconds(300)));
        assertThat(parse(200, "application/json; charset=utf-8", "max-age=5", "{\"backend\": \"pod1\"}"))
                .isEqualTo(new DirectoryAnswer.Tenant("pod1", Duration.ofSeconds(5)));
        assertThat(parse(200, null, null, "{\"backend\":\"pod3\"}")).isEqualTo(new DirectoryAnswer.Tenant("pod3", null));
        assertThat(parse(200, "application/json", null, "{\"backend\":\"pod1\",\"ttl\":-1}")).isEqualTo(new DirectoryAnswer.Tenant("pod1", null));
    }

    @Test
    void unusableAnswersAreFailures() {
        assertThat(parse(500, "text/plain", null, "pod1")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(302, "text/plain", null, "")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "text/plain", null, "  \n")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "text/html", null, "<b>pod1</b>")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "application/json", null, "{\"backend\":")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "application/json", null, "[\"pod1\"]")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "application/json", null, "{\"backend\":42}")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "application/json", null, "{\"backend\":\" \"}")).isInstanceOf(DirectoryAnswer.Failed.class);
        assertThat(parse(200, "application/json", null, "{\"a\": &x [1], \"b\": *x}")).isInstanceOf(DirectoryAnswer.Failed.class);
    }

    @Test
    void a404IsNoTenant() {
        assertThat(parse(404, "text/plain", null, "not a tenant")).isEqualTo(new DirectoryAnswer.NotTenant(null));
    }
}
