package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podrouter.config.DirectoryUrl;
import io.podrouter.config.HostAndPort;
import org.junit.jupiter.api.Test;

/** The directory URL template (in the config package; tested here with the rest of the directory). */
class DirectoryUrlTest {

    @Test
    void splitsAroundTheKeyAndEncodesIt() {
        DirectoryUrl u = DirectoryUrl.parse("http://127.0.0.1:6280/rest/private/gds/backend/{key}");
        assertThat(u.address()).isEqualTo(new HostAndPort("127.0.0.1", 6280));
        assertThat(u.hostHeader()).isEqualTo("127.0.0.1:6280");
        assertThat(u.target("tenant.example.com")).isEqualTo("/rest/private/gds/backend/tenant.example.com");
        assertThat(u.target("a/../b?c#d e")).isEqualTo("/rest/private/gds/backend/a%2F..%2Fb%3Fc%23d%20e");
    }

    @Test
    void theKeyMayBeInTheQuery() {
        DirectoryUrl u = DirectoryUrl.parse("http://dir.internal/lookup?key={key}&v=2");
        assertThat(u.address()).isEqualTo(new HostAndPort("dir.internal", 80));
        assertThat(u.hostHeader()).isEqualTo("dir.internal");
        assertThat(u.target("t1")).isEqualTo("/lookup?key=t1&v=2");
        assertThat(DirectoryUrl.parse("http://dir:81?k={key}").target("t1")).isEqualTo("/?k=t1");
    }

    @Test
    void rejectsTemplatesThatCannotWork() {
        for (String bad : new String[] {
                "http://dir/backend/", "http://dir/{key}/{key}", "https://dir/{key}", "ftp://dir/{key}",
                "http://user@dir/{key}", "http://dir/{key}#f", "dir/{key}", "http:///{key}"}) {
            assertThatThrownBy(() -> DirectoryUrl.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void rejectsTheKeyAnywhereInTheAuthority() {
        for (String bad : new String[] {"http://{key}.dir/x", "http://{key}/x", "http://a{key}:80/x", "http://dir{key}/x"}) {
            assertThatThrownBy(() -> DirectoryUrl.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
