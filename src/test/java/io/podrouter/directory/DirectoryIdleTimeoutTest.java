package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.podrouter.Podrouter;
import io.podrouter.testing.FakeDirectory;
import io.podrouter.testing.Poll;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import io.podrouter.testing.TestBackend;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pooled connection to the directory that nobody uses for routing.directory.idle-timeout is closed. */
class DirectoryIdleTimeoutTest {
    @TempDir
    Path dir;

    @Test
    void anUnusedDirectoryConnectionIsClosedAfterTheIdleTimeoutAndTheNextLookupConnectsAgain() throws Exception {
        try (TestBackend pod = new TestBackend("pod1");
             FakeDirectory directory = new FakeDirectory().otherwise(key -> FakeDirectory.Answer.text("pod1"));
             Podrouter router = new RouterFixture(dir).pod("pod1", pod).routing("""
                     directory:
                       url: %s
                       idle-timeout: 300ms
                     """.formatted(directory.url())).start();
             RawHttp http = new RawHttp(router.port())) {
            var pool = router.routeCache().directory().pools().get(0);
            assertThat(http.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(pool.openConnections()).as("kept for the next lookup").isEqualTo(1);
            Poll.until(Duration.ofSeconds(5), "the unused directory connection is closed", () -> pool.openConnections() == 0);
            assertThat(http.send("GET / HTTP/1.1\r\nHost: b.example.com\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(directory.lookups()).isEqualTo(2);
        }
    }
}
