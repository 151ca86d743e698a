package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS by default: plaintext only to loopback literals, or with an explicit opt-in. */
class PlaintextEndpointTest {
  private static final String KEY = "plaintext-test-key";

  @Test
  void refusesPlaintextToANonLoopbackHostWithAClearMessage() {
    assertThatThrownBy(() -> HttpTransport.builder(KEY).endpoint(URI.create("http://api.example.com")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://api.example.com")
        .hasMessageContaining("plaintext")
        .hasMessageContaining("allowInsecureHttp(true)");
  }

  @Test
  void refusesPlaintextWhenFoundThroughServiceLoaderToo() {
    assertThatThrownBy(() -> Analytics.builder(KEY).endpoint(URI.create("http://collector.internal:8080"))
        .shutdownHook(false).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowInsecureHttp");
  }

  @ParameterizedTest(name = "look-alike {0} is not loopback")
  @ValueSource(strings = {"localhost.example.com", "127.0.0.1.nip.io", "127.0.0.1.example.com", "localhost.",
      "mylocalhost", "127.1", "0177.0.0.1", "0x7f.0.0.1", "2130706433", "128.0.0.1", "[::2]", "[fe80::1]",
      "[::ffff:10.0.0.1]", "127.0.0.256"})
  void refusesLookAlikesOfLoopback(String host) {
    assertThat(Endpoints.isLoopback(host)).isFalse();
    assertThatThrownBy(() -> HttpTransport.builder(KEY).endpoint(URI.create("http://" + host + ":8080")).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0} is loopback")
  @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.12.34.56", "127.255.255.254", "[::1]",
      "[0:0:0:0:0:0:0:1]"})
  void allowsPlaintextToLoopback(String host) {
    assertThat(Endpoints.isLoopback(host)).isTrue();
    HttpTransport.builder(KEY).endpoint(URI.create("http://" + host + ":8080")).build().close();
  }

  @Test
  void theOptInAllowsPlaintextToAnyHost() {
    HttpTransport t = HttpTransport.builder(KEY).endpoint(URI.create("http://collector.internal:8080"))
        .allowInsecureHttp(true).build();
    assertThat(t.batchUri()).hasToString("http://collector.internal:8080/v1/batch");
    t.close();
  }

  @Test
  void httpsNeedsNoOptInAndKeepsAPathPrefix() {
    HttpTransport t = HttpTransport.builder(KEY).endpoint(URI.create("https://proxy.example.com/segment/")).build();
    assertThat(t.batchUri()).hasToString("https://proxy.example.com/segment/v1/batch");
    t.close();
  }

  @Test
  void refusesUserInfoWithoutRepeatingIt() {
    assertThatThrownBy(() -> HttpTransport.builder(KEY)
        .endpoint(URI.create("https://someone:s3cr3t@api.segment.io")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user info")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
  }

  @Test
  void refusesOtherSchemes() {
    assertThatThrownBy(() -> HttpTransport.builder(KEY).endpoint(URI.create("ftp://api.segment.io")).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://");
  }
}
