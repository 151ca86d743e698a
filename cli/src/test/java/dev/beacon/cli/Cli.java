package dev.beacon.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code beacon} in this JVM or in a child JVM, as a user would. */
final class Cli {
  private Cli() {}

  /** The outcome of one run. */
  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** Runs the command in this JVM. */
  static Run beacon(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = BeaconCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  /** Writes a write-key file, as the tests never depend on the environment's SEGMENT_WRITE_KEY. */
  static Path keyFile(Path dir, String key) throws IOException {
    Path f = Files.createTempFile(dir, "write-key", ".txt");
    Files.writeString(f, key + "\n", StandardCharsets.UTF_8);
    return f;
  }

  /**
   * Starts {@code beacon} in a child JVM: the same java binary, this class path, and the JVM
   * flags this JVM got (Chronicle's opens and exports, as bin/beacon passes). SEGMENT_WRITE_KEY
   * is removed from its environment; stdout and stderr go to files in {@code dir}.
   */
  static Child start(Path dir, String... args) throws IOException {
    return start(dir, List.of(), args);
  }

  /** As {@link #start(Path, String...)}, with these JVM flags added (e.g. a system property). */
  static Child start(Path dir, List<String> jvmFlags, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("-Ddisable")
            || a.startsWith("-Dsun.net") || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
        .toList());
    cmd.add("-Xmx512m");
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(BeaconCli.class.getName());
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "child", ".out");
    Path err = Files.createTempFile(dir, "child", ".err");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().remove("SEGMENT_WRITE_KEY");
    return new Child(pb.start(), out, err);
  }

  /** Runs {@code beacon} in a child JVM and waits for it. */
  static Run child(Path dir, Duration timeout, String... args) throws Exception {
    Child c = start(dir, args);
    return c.await(timeout);
  }

  /** A running child JVM. */
  record Child(Process process, Path out, Path err) {
    Run await(Duration timeout) throws Exception {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError("beacon did not exit within " + timeout + "; stderr: " + Files.readString(err));
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no close
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
