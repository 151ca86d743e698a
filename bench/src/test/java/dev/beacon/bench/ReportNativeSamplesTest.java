package dev.beacon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.Deflater;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile section must see gzip: the JDK's {@code Deflater} runs in a JNI method, where Flight
 * Recorder's execution samples never look, so the report reads {@code jdk.NativeMethodSample} too.
 */
class ReportNativeSamplesTest {

  @Test
  void aThreadDeflatingShowsUpInTheNativeSamplesUnderItsThreadGroup(@TempDir Path dir) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    byte[] input = new byte[1 << 20];
    new Random(7).nextBytes(input);
    Thread deflating = new Thread(() -> {
      byte[] out = new byte[input.length + 1024];
      while (!stop.get()) {
        Deflater d = new Deflater(Deflater.BEST_SPEED, true);
        d.setInput(input);
        d.finish();
        while (!d.finished()) {
          d.deflate(out);
        }
        d.end();
      }
    }, "beacon-12-transport-3");
    try (Recording r = new Recording()) {
      r.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(10));
      r.start();
      deflating.start();
      Path file = dir.resolve("profile.jfr");
      Report.NativeSamples samples;
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      do {
        // A sample needs the sampler to find the thread inside the native method: dump until it has.
        r.dump(file);
        samples = Report.NativeSamples.read(file);
        if (!hasDeflaterSample(samples)) {
          Thread.sleep(50); // a poll interval, not a wait for time to pass: the loop ends on the condition
        }
      } while (!hasDeflaterSample(samples) && System.nanoTime() < deadline);
      assertThat(samples.byThreadAndFrame.keySet())
          .anySatisfy(k -> assertThat(k).startsWith("beacon-N-transport-3  ←  Deflater."));
      assertThat(samples.total).isEqualTo(samples.byThreadAndFrame.values().stream().mapToLong(Long::longValue).sum());
    } finally {
      stop.set(true);
      deflating.join();
    }
  }

  @Test
  void aRecordingWithoutNativeSamplesGivesNone(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("empty.jfr");
    try (Recording r = new Recording()) {
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      r.start();
      r.stop();
      r.dump(file);
    }
    assertThat(Files.exists(file)).isTrue();
    assertThat(Report.NativeSamples.read(file).total).isZero();
  }

  @Test
  void threadsAreGroupedByRoleAcrossEngineInstances() {
    assertThat(Report.threadGroup("beacon-12-1")).isEqualTo("beacon-N-1");
    assertThat(Report.threadGroup("beacon-3-2")).isEqualTo("beacon-N-2");
    assertThat(Report.threadGroup("beacon-7-transport-1")).isEqualTo("beacon-N-transport-1");
    assertThat(Report.threadGroup("producer-3")).isEqualTo("producer-N");
    assertThat(Report.threadGroup(null)).isEqualTo("?");
  }

  private static boolean hasDeflaterSample(Report.NativeSamples s) {
    return s.byThreadAndFrame.keySet().stream().anyMatch(k -> k.startsWith("beacon-N-transport-3  ←  Deflater."));
  }
}
