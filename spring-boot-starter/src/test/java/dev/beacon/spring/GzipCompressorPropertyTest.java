package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.beacon.Analytics;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code beacon.http.gzip-compressor} chooses the compressor of the HTTP transport the starter
 * builds. The bodies tell which one ran: RFC 1952's XFL byte (offset 8) is 4, "fastest algorithm",
 * in libdeflate's gzip header at level 1, and 0 in the JDK's ({@code GZIPOutputStream}'s framing).
 * beacon-compression-libdeflate is on this module's test class path.
 */
class GzipCompressorPropertyTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = "gzip-compressor-property-key";
  private static final int XFL = 8;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BeaconAutoConfiguration.class));
  private final LinkedBlockingQueue<byte[]> bodies = new LinkedBlockingQueue<>();
  private HttpServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (InputStream in = exchange.getRequestBody()) {
        bodies.add(in.readNBytes(1 << 20));
      }
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String[] properties(String... extra) {
    String[] base = {"beacon.write-key=" + KEY,
        "beacon.endpoint=http://127.0.0.1:" + server.getAddress().getPort(), "beacon.batch.flush-at=1"};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  /** Sends one event through the context's client and returns the gzip header's XFL byte. */
  private byte xflOfOneDelivery(String... extra) throws Exception {
    byte[][] body = new byte[1][];
    runner.withPropertyValues(properties(extra)).run(context -> {
      assertThat(context).hasNotFailed();
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("u1", "Compressed");
      assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
      body[0] = bodies.poll(30, TimeUnit.SECONDS);
    });
    assertThat(body[0]).as("a request body").isNotNull().hasSizeGreaterThan(10);
    assertThat(body[0][0]).isEqualTo((byte) 0x1f);
    assertThat(body[0][1]).isEqualTo((byte) 0x8b);
    return body[0][XFL];
  }

  @Test
  void libdeflateGzipsTheBodiesWhenChosen() throws Exception {
    assertThat(xflOfOneDelivery("beacon.http.gzip-compressor=libdeflate")).isEqualTo((byte) 4);
  }

  @Test
  void jdkGzipsTheBodiesWhenChosenEvenWithLibdeflateOnTheClassPath() throws Exception {
    assertThat(xflOfOneDelivery("beacon.http.gzip-compressor=jdk")).isEqualTo((byte) 0);
  }

  @Test
  void unsetTakesTheHighestPriorityCompressorOnTheClassPath() throws Exception {
    assertThat(xflOfOneDelivery()).isEqualTo((byte) 4);
  }

  @Test
  void anUnknownCompressorFailsStartupNamingTheProperty() {
    runner.withPropertyValues(properties("beacon.http.gzip-compressor=zopfli")).run(context -> {
      assertThat(context).hasFailed();
      BeaconConfigurationException e =
          (BeaconConfigurationException) BeaconWiringTest.configFailure(context.getStartupFailure());
      assertThat(e.property()).isEqualTo("beacon.http.gzip-compressor");
      assertThat(e).hasMessageContaining("zopfli").hasMessageContaining("beacon-compression-libdeflate")
          .hasMessageNotContaining(KEY);
    });
  }
}
