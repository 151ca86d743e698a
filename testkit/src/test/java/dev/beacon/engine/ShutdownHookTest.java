package dev.beacon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShutdownHookTest {
  @Test
  void theShutdownHookDeliversPendingMessagesWhenTheJvmExits(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("delivered.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        ShutdownHookMain.class.getName(), out.toString(), "1000")
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("child JVM exited").isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("child.log"))).isZero();
    List<String> ids = Files.readAllLines(out);
    assertThat(ids).hasSize(1000).doesNotHaveDuplicates();
    assertThat(new File(dir.toFile(), "child.log")).exists();
  }
}
