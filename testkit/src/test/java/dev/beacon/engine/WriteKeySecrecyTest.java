package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class WriteKeySecrecyTest {
  private static final String CANARY = "wk_CANARY_7c1e5a9b";

  @Test
  void theWriteKeyNeverAppearsInLogsExceptionsOrToString() {
    String b64 = Base64.getEncoder().encodeToString((CANARY + ":").getBytes(StandardCharsets.UTF_8));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    List<String> texts = new CopyOnWriteArrayList<>();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      CapturingTransport capture = new CapturingTransport()
          .failNext(2, Fault.retryable(503)).failNext(1, Fault.permanent(401));
      Analytics a = Analytics.builder(CANARY).transport(capture).debug(true).shutdownHook(false)
          .retryPolicy(Clients.FAST_RETRIES).flushAt(1)
          .onError((e, m) -> texts.add(e.toString() + m)).build();
      texts.add(a.toString());
      a.track("u", "E1");
      a.track("u", "E2");
      a.flush(WAIT);
      texts.add(a.stats().toString());
      a.close();
      Analytics sync = Analytics.builder(CANARY).transport(new CapturingTransport().failNext(1, Fault.permanent(403)))
          .syncMode(true).debug(true).shutdownHook(false).build();
      try {
        sync.track("u", "E3");
      } catch (DeliveryException e) {
        texts.add(e.toString());
      }
      sync.close();
    } finally {
      System.setErr(original);
    }
    String logs = err.toString(StandardCharsets.UTF_8);
    assertThat(logs).contains("write key"); // the 401 was logged loudly...
    assertThat(logs).doesNotContain(CANARY).doesNotContain(b64); // ...without the key
    assertThat(String.join("\n", texts)).doesNotContain(CANARY).doesNotContain(b64);
  }
}
