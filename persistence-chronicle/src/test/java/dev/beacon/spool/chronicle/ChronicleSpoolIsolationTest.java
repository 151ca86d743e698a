package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.SpoolDurability;
import dev.beacon.spi.Spool;
import dev.beacon.spi.SpoolContext;
import dev.beacon.spi.SpoolProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No phoning home, quiet defaults, discovery by ServiceLoader. */
class ChronicleSpoolIsolationTest {
  @TempDir Path dir;

  @Test
  void chronicleAnalyticsIsNotOnTheClassPath() {
    assertThatThrownBy(() -> Class.forName("net.openhft.chronicle.analytics.Analytics"))
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void openingASpoolWritesNoAnalyticsFileAndSetsQuietDefaults() throws IOException {
    Path home = Path.of(System.getProperty("user.home"));
    List<String> before = analyticsFiles(home);
    Spool spool = provider().open(new SpoolContext(dir, 1 << 20, SpoolDurability.PROCESS_CRASH));
    byte[] b = {'{', '}'};
    spool.append(b, 0, 2);
    spool.commit();
    spool.close();
    assertThat(analyticsFiles(home)).isEqualTo(before);
    assertThat(System.getProperty("chronicle.analytics.disable")).isEqualTo("true");
    assertThat(System.getProperty("chronicle.announcer.disable")).isEqualTo("true");
    assertThat(System.getProperty("disable.perf.info")).isEqualTo("true");
    assertThat(System.getProperty("chronicle.disk.monitor.disable")).isEqualTo("true");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().contains("disk-space-checker"));
  }

  @Test
  void providerIsFoundByNameThroughServiceLoader() {
    assertThat(provider().name()).isEqualTo("chronicle");
  }

  @Test
  void spoolDirectoryThatIsAFileFailsToOpenWithItsName() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> provider().open(new SpoolContext(file, 1 << 20, SpoolDurability.PROCESS_CRASH)))
        .isInstanceOf(IOException.class).hasMessageContaining(file.toString());
  }

  private static SpoolProvider provider() {
    return ServiceLoader.load(SpoolProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(p -> p.name().equals("chronicle"))
        .findFirst().orElseThrow();
  }

  private static List<String> analyticsFiles(Path home) throws IOException {
    if (!Files.isDirectory(home)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(home)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".chronicle")).sorted().toList();
    }
  }
}
