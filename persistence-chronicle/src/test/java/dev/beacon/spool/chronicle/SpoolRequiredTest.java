package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spoolRequired}: run in memory (default) or refuse to start when the spool cannot be opened. */
class SpoolRequiredTest {
  @TempDir Path dir;

  private Analytics.Builder client(Path spoolDirectory) {
    return Analytics.builder("required-test-key").send(false).shutdownHook(false).spoolDirectory(spoolDirectory);
  }

  @Test
  void byDefaultASpoolThatCannotBeOpenedLeavesTheClientInMemory() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");

    try (Analytics a = client(notADirectory).build()) {
      assertThat(a.stats().spoolDegraded()).isTrue();
      assertThat(a.track("u", "Still Accepted")).isTrue();
    }
  }

  @Test
  void spoolRequiredRefusesToStartAndSaysWhy() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");

    assertThatThrownBy(() -> client(notADirectory).spoolRequired(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("spoolRequired is true").hasMessageContaining(notADirectory.toString())
        .hasMessageNotContaining("required-test-key");
  }
}
