package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.TransportContext;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.ServerFault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A canary write key, {@code debug(true)}, and every path that logs or builds an error: the key
 * never shows, in clear or in base64, in the captured log (slf4j-simple writes to System.err) nor
 * in any exception text.
 */
class WriteKeySecrecyTest {
  private static final String CANARY = "CANARY-wk-7f3a9c1e5b";
  private static final List<String> FORMS = List.of(CANARY,
      Base64.getEncoder().encodeToString((CANARY + ":").getBytes(StandardCharsets.UTF_8)),
      Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8)));

  @Test
  void theWriteKeyNeverAppearsInLogsOrErrorsEvenWithDebug() throws Exception {
    List<String> texts = new ArrayList<>();
    List<DeliveryException> errors = new CopyOnWriteArrayList<>();
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      // 1. The right key, through ServiceLoader with debug: retries, then delivery.
      try (CollectorServer server = CollectorServer.builder().writeKey(CANARY).build().start()) {
        server.failNext(1, 503);
        server.failNext(1, ServerFault.dropConnection());
        // A server (or a proxy) that echoes the credentials back in its error text.
        server.failNext(1, ServerFault.status(400).withBody("{\"message\":\"bad request from " + FORMS.get(0)
            + " / Basic " + FORMS.get(1) + " / " + FORMS.get(2) + "\"}"));
        Analytics a = Analytics.builder(CANARY).endpoint(server.uri()).debug(true).shutdownHook(false)
            .retryPolicy(fast()).flushAt(5).onError((e, m) -> errors.add(e)).build();
        texts.add(a.toString());
        for (int i = 0; i < 15; i++) {
          a.track("user-" + i, "Canary Event");
        }
        a.close(Fixtures.WAIT);
        texts.add(a.stats().toString());
      }
      // 2. A server that refuses the key: the loud 401 error.
      try (CollectorServer server = CollectorServer.builder().writeKey("some-other-key").build().start()) {
        HttpTransport t = HttpTransport.builder(CANARY).endpoint(server.uri()).debug(true).build();
        texts.add(t.toString());
        Analytics a = Analytics.builder(CANARY).transport(t).debug(true).shutdownHook(false)
            .retryPolicy(fast()).flushAt(1).onError((e, m) -> errors.add(e)).build();
        a.track("user", "Canary Event");
        a.close(Fixtures.WAIT);
      }
      // 3. Nothing listening: connection errors.
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Analytics a = Analytics.builder(CANARY).endpoint(URI.create("http://127.0.0.1:" + port)).debug(true)
          .shutdownHook(false).retryPolicy(fast()).flushAt(1).onError((e, m) -> errors.add(e)).build();
      a.track("user", "Canary Event");
      a.close(Fixtures.WAIT);
      // 4. Builders, contexts and refusals.
      texts.add(HttpTransport.builder(CANARY).toString());
      texts.add(new TransportContext(CANARY, URI.create("https://api.segment.io"), true, Thread::new, "ua").toString());
      try {
        HttpTransport.builder(CANARY).endpoint(URI.create("http://api.example.com")).build();
      } catch (IllegalArgumentException e) {
        texts.add(e.toString());
      }
    } finally {
      System.setErr(originalErr);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    originalErr.print(log); // keep it in the surefire report

    assertThat(errors).as("the scenario produced errors to inspect").hasSizeGreaterThanOrEqualTo(3);
    for (DeliveryException e : errors) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        texts.add(t.toString());
        for (StackTraceElement el : t.getStackTrace()) {
          texts.add(el.toString());
        }
      }
    }
    assertThat(log).as("debug logging happened").contains("POST http://127.0.0.1");
    assertThat(log).contains("refused this client's write key");
    assertThat(String.join("\n", texts)).contains("<redacted>");
    for (String form : FORMS) {
      assertThat(log).as("captured log").doesNotContain(form);
      for (String t : texts) {
        assertThat(t).as("error or toString text").doesNotContain(form);
      }
    }
  }

  private static RetryPolicy fast() {
    return RetryPolicy.builder().baseDelay(Duration.ofMillis(5)).maxDelay(Duration.ofMillis(20))
        .jitter(false).maxRetries(3).build();
  }
}
