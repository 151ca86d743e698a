package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.testkit.CapturingTransport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** build() and the spool's directory: nothing held after a failed build, no state kept between builds. */
class BuildLifecycleTest {

  @Test
  void aBuildThatFailsAfterOpeningTheSpoolReleasesItSoACorrectedBuildWorks(@TempDir Path dir) {
    AtomicBoolean broken = new AtomicBoolean(true);
    Analytics.Builder b = Analytics.builder("spool-test-key").transport(new CapturingTransport())
        .spoolDirectory(dir).shutdownHook(false)
        .threadFactory(r -> {
          if (broken.get()) {
            throw new IllegalStateException("no threads today (simulated)");
          }
          Thread t = new Thread(r);
          t.setDaemon(true);
          return t;
        });
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("no threads today");
    broken.set(false);
    try (Analytics a = b.build()) {
      assertThat(a.track("u", "E")).isTrue();
      assertThat(a.flush(Duration.ofSeconds(30)).isSuccess()).isTrue();
      assertThat(a.stats().spoolDegraded()).isFalse();
    }
  }

  @Test
  void aSpoolThatCouldNotBeOpenedOnceDoesNotMarkTheNextBuildDegraded(@TempDir Path tmp) throws Exception {
    Path notADirectory = Files.writeString(tmp.resolve("file"), "x");
    Analytics.Builder b = Analytics.builder("spool-test-key").transport(new CapturingTransport())
        .shutdownHook(false).spoolDirectory(notADirectory.resolve("spool"));
    try (Analytics degraded = b.build()) {
      assertThat(degraded.stats().spoolDegraded()).isTrue();
    }
    try (Analytics healthy = b.spoolDirectory(tmp.resolve("spool")).build()) {
      assertThat(healthy.stats().spoolDegraded()).isFalse();
    }
  }

  @Test
  void unreadableJournalFilesAreReportedToTheErrorCallbackWithTheirCount(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.write(dir.resolve("20260101-0000.cq4"), Journals.garbage());
    java.util.List<dev.beacon.DeliveryException> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Analytics a = Analytics.builder("spool-test-key").transport(new CapturingTransport()).shutdownHook(false)
        .spoolDirectory(dir).onError((e, m) -> reports.add(e)).build()) {
      assertThat(a.track("u", "E")).isTrue();
      assertThat(a.flush(Duration.ofSeconds(30)).complete()).isTrue();
      assertThat(reports).singleElement().satisfies(e -> {
        assertThat(e.reason()).isEqualTo(dev.beacon.FailureReason.SPOOL_CORRUPT);
        assertThat(e.getMessage()).contains("1 unreadable spool file(s)").contains("quarantine");
      });
      assertThat(a.stats().failed()).as("no message count is invented").isZero();
      assertThat(a.stats().delivered()).isEqualTo(1);
    }
  }
}
