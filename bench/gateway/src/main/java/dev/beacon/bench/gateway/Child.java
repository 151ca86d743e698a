package dev.beacon.bench.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link TargetMain} process: its standard output read line by line on a thread of its own, its
 * standard error kept in a log file, its input the control channel ({@code stats}, {@code stop}).
 */
final class Child implements AutoCloseable {
  private static final String EOF = "\u0000eof";
  /** Children still running, ended by a shutdown hook if the bench itself is stopped (Ctrl-C, timeout). */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
        "bench-children-cleanup"));
  }

  final String name;
  final Process process;
  final Path log;
  private final Writer control;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  String address;

  private Child(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.control = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process went away: the EOF marker below tells the waiting bench
      } finally {
        lines.add(EOF);
      }
    }, "bench-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code TargetMain kind args} in a JVM of its own and waits for it to serve. */
  static Child start(List<String> jvm, String kind, Path logDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(jvm);
    command.add(TargetMain.class.getName());
    command.add(kind);
    command.addAll(List.of(args));
    Path log = logDir.resolve(kind + "-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    LIVE.add(p);
    Child c = new Child(kind, p, log);
    try {
      c.address = c.await("READY ", Duration.ofMinutes(3));
    } catch (RuntimeException e) {
      c.process.destroyForcibly();
      throw e;
    }
    return c;
  }

  /** The child's CPU time so far (all its threads), in seconds. */
  double cpuSeconds() {
    return process.toHandle().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  /** Sends {@code stats} and returns the answer's fields. */
  Map<String, String> stats() {
    send("stats");
    return fields(await("STATS ", Duration.ofMinutes(1)));
  }

  /** Sends {@code stop}, waits for the result and the process's exit. */
  Map<String, String> stop(Duration timeout) {
    send("stop");
    Map<String, String> result = fields(await("RESULT ", timeout));
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    return result;
  }

  private void send(String command) {
    try {
      control.write(command + "\n");
      control.flush();
    } catch (IOException e) {
      throw new IllegalStateException(name + " is gone (see " + log + "): " + e, e);
    }
  }

  private String await(String prefix, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
        if (line == null) {
          throw new IllegalStateException(name + " printed no '" + prefix.trim() + "' within " + timeout + " (see "
              + log + ")");
        }
        if (line.equals(EOF)) {
          throw new IllegalStateException(name + " exited before '" + prefix.trim() + "' (see " + log + ")");
        }
        if (line.startsWith(prefix)) {
          return line.substring(prefix.length());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + name, e);
    }
  }

  /** {@code a=1 b=x} as a map, in order. */
  static Map<String, String> fields(String line) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String part : line.trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        m.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return m;
  }

  /** Ends the process if it still runs (the bench failed half way). */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    LIVE.remove(process);
  }
}
