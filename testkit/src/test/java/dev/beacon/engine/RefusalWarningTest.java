package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.Message;
import dev.beacon.testkit.CapturingTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every refusal's WARN names the limit that was hit and its value, not the others. */
class RefusalWarningTest {
  private static String warnings(Consumer<Void> calls) {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    synchronized (System.class) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        calls.accept(null);
      } finally {
        System.setErr(err);
      }
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aFullRingNamesMaxQueueSize() {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Analytics a = builder(stuck).maxQueueSize(16).flushAt(1).build();
    String log = warnings(v -> {
      for (int i = 0; i < 10_000 && a.stats().dropped(DropReason.QUEUE_FULL) == 0; i++) {
        a.track("u", "E");
      }
    });
    assertThat(a.stats().dropped(DropReason.QUEUE_FULL)).isEqualTo(1);
    assertThat(log).contains("QUEUE_FULL").contains("maxQueueSize=16").doesNotContain("maxQueueBytes")
        .doesNotContain("maxSpoolBytes");
    stuck.open();
    a.close(WAIT);
  }

  @Test
  void aFullByteBoundNamesMaxQueueBytes() {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    long bound = Message.MAX_MESSAGE_BYTES;
    Analytics a = builder(stuck).maxQueueBytes(bound).maxQueueSize(1 << 16).flushAt(1).build();
    String blob = "x".repeat(8000);
    String log = warnings(v -> {
      for (int i = 0; i < 10_000 && a.stats().dropped(DropReason.QUEUE_BYTES_FULL) == 0; i++) {
        a.track("u", "E", Map.of("blob", blob));
      }
    });
    assertThat(a.stats().dropped(DropReason.QUEUE_BYTES_FULL)).isEqualTo(1);
    assertThat(log).contains("QUEUE_BYTES_FULL").contains("maxQueueBytes=" + bound).doesNotContain("maxQueueSize")
        .doesNotContain("maxSpoolBytes");
    stuck.open();
    a.close(WAIT);
  }
}
