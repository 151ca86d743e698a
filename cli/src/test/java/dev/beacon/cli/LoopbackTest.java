package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which endpoints {@code --write-key} is accepted for: decided from the host's text, no lookup. */
class LoopbackTest {
  @ParameterizedTest
  @ValueSource(strings = {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]", "[0:0:0:0:0:0:0:1]"})
  void loopbackLiteralsAreLoopback(String host) {
    assertThat(ClientOptions.isLoopback(host)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1.example.com", "localhost.example.com", "10.0.0.1", "256.0.0.1",
      "127.0.0.256", "api.segment.io", "[::2]", "[fe80::1]", "0.0.0.0"})
  void anythingElseIsNot(String host) {
    assertThat(ClientOptions.isLoopback(host)).isFalse();
  }

  @Test
  void noHostIsNotLoopback() {
    assertThat(ClientOptions.isLoopback(null)).isFalse();
    assertThat(ClientOptions.isLoopback("")).isFalse();
  }
}
