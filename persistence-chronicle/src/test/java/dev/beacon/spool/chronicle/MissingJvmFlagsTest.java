package dev.beacon.spool.chronicle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: a JVM without Chronicle's flags used to start with the spool silently off. Each case runs
 * in a child JVM given only some of the flags this test JVM has.
 */
class MissingJvmFlagsTest {
  private static final String REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
  private static final String NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
  private static final String REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";

  @TempDir Path dir;

  /** Runs FlagsClient with this JVM's flags minus those {@code drop} matches; returns its output. */
  private List<String> child(Predicate<String> drop, String mode) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("-Ddisable")
            || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
        .filter(drop.negate())
        .toList());
    cmd.addAll(List.of("-Xmx128m", "-cp", System.getProperty("java.class.path"), FlagsClient.class.getName(),
        mode, dir.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("child exited").isTrue();
    assertThat(p.exitValue()).as("child exit code; output:%n%s", out).isZero();
    return out.lines().toList();
  }

  @Test
  void withoutAnyFlagTheDefaultClientRunsInMemoryAndTheErrorNamesEveryMissingFlag() throws Exception {
    List<String> out = child(a -> a.startsWith("--add-"), "degrade");

    assertThat(out).contains("DEGRADED true");
    assertThat(out).filteredOn(l -> l.contains("ERROR") && l.contains("could not open its spool"))
        .singleElement().asString().contains(REFLECT, NIO, REF)
        .contains("--add-opens=java.base/java.util=ALL-UNNAMED")
        .contains("docs/spool.md");
    assertThat(String.join("\n", out)).as("Chronicle never got to fail on its own")
        .doesNotContain("IllegalAccessException");
  }

  @Test
  void spoolRequiredRefusesToStartAndNamesExactlyTheMissingFlags() throws Exception {
    List<String> out = child(a -> a.equals(NIO) || a.equals(REF), "required");

    assertThat(out).contains("REFUSED");
    assertThat(out).filteredOn(l -> l.startsWith("MISSING ")).containsExactly("MISSING " + NIO, "MISSING " + REF);
    assertThat(out).filteredOn(l -> l.startsWith("MESSAGE ")).singleElement().asString()
        .contains("spoolRequired is true", dir.toString(), NIO, REF)
        .doesNotContain("flags-test-key");
  }

  @Test
  void theRequiredFlagsAloneAreEnough() throws Exception {
    List<String> out = child(a -> a.startsWith("--add-") && !a.equals(REFLECT) && !a.equals(NIO) && !a.equals(REF),
        "required");

    assertThat(out).contains("STARTED false");
  }

  @Test
  void thisJvmHasEveryRecommendedFlag() throws Exception {
    Module chronicle = net.openhft.chronicle.core.Jvm.class.getModule();
    assertThat(JvmFlags.missing(JvmFlags.RECOMMENDED, chronicle)).isEmpty();
    try (Analytics a = Analytics.builder("k").send(false).shutdownHook(false).spoolDirectory(dir)
        .spoolRequired(true).build()) {
      assertThat(a.stats().spoolDegraded()).isFalse();
    }
  }
}
