package dev.beacon.bench;

import dev.beacon.Analytics;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What an idle client costs: the process CPU of a JVM that built a client, sent one event, and
 * then does nothing for a minute — Beacon in memory mode, Beacon with the Chronicle spool,
 * analytics-java 3.5.4 with its defaults, and a JVM with no client as the floor. Each in its own
 * JVM, all at the same time (CPU time is per process, so they do not skew each other much).
 *
 * <pre>
 * java -cp benchmarks.jar dev.beacon.bench.IdleCpu [--seconds 60] [--md docs/performance.md]
 * </pre>
 *
 * <p>Writes (or replaces) the "Idle CPU" section of the page, between its markers.
 */
public final class IdleCpu {
  private static final List<String> CLIENTS = List.of("jvm", "beacon", "beacon-spool", "analytics-java");
  private static final String START = "<!-- idle-cpu:start -->";
  private static final String END = "<!-- idle-cpu:end -->";
  /** Chronicle's flags (root pom: chronicle.jvm.flags, chronicle.system.properties), for the spool child. */
  private static final List<String> CHRONICLE = List.of(
      "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
      "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
      "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
      "-Dchronicle.announcer.disable=true", "-Ddisable.perf.info=true", "-Dchronicle.disk.monitor.disable=true");

  private IdleCpu() {}

  /**
   * Runs every client in a child JVM and writes the section.
   *
   * @param args {@code --seconds N}, {@code --md PAGE}; or {@code --child CLIENT SECONDS ENDPOINT}
   * @throws Exception when a child fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--child")) {
      child(args[1], Integer.parseInt(args[2]), URI.create(args[3]));
      return;
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    int seconds = Integer.parseInt(o.getOrDefault("seconds", "60"));
    Path md = Path.of(o.getOrDefault("md", "docs/performance.md"));
    Map<String, Long> cpuMs = new LinkedHashMap<>();
    Map<String, Long> ownMs = new LinkedHashMap<>();
    try (Receiver collector = Collector.start()) {
      List<Process> children = new ArrayList<>();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      for (String client : CLIENTS) {
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        if (client.equals("beacon-spool")) {
          cmd.addAll(CHRONICLE);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), IdleCpu.class.getName(), "--child",
            client, String.valueOf(seconds), collector.endpoint().toString()));
        children.add(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
      }
      for (int i = 0; i < CLIENTS.size(); i++) {
        Process p = children.get(i);
        String line = null;
        String ownLine = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            if (l.startsWith("cpu-ms ")) {
              line = l;
            } else if (l.startsWith("own-ms ")) {
              ownLine = l;
            }
          }
        }
        if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0 || line == null) {
          p.destroyForcibly();
          throw new IllegalStateException(CLIENTS.get(i) + " did not report its CPU time");
        }
        cpuMs.put(CLIENTS.get(i), Long.parseLong(line.substring("cpu-ms ".length()).trim()));
        ownMs.put(CLIENTS.get(i), ownLine == null ? 0 : Long.parseLong(ownLine.substring("own-ms ".length()).trim()));
      }
    }
    String section = section(cpuMs, ownMs, seconds);
    System.out.print(section);
    patch(md, section);
  }

  /** Builds one client, sends one event, then measures its process CPU over an idle spell. */
  private static void child(String client, int seconds, URI endpoint) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    java.lang.management.ThreadMXBean tm = ManagementFactory.getThreadMXBean();
    java.util.Set<Long> jvmThreads = new java.util.HashSet<>();
    for (long id : tm.getAllThreadIds()) {
      jvmThreads.add(id);
    }
    AutoCloseable closeable = () -> { };
    Path spoolDir = null;
    switch (client) {
      case "jvm":
        break;
      case "beacon":
      case "beacon-spool": {
        Analytics.Builder b = Analytics.builder(SideBySide.WRITE_KEY).endpoint(endpoint).shutdownHook(false);
        if (client.equals("beacon-spool")) {
          spoolDir = Files.createTempDirectory("beacon-idle-spool");
          b.spoolDirectory(spoolDir);
        }
        Analytics a = b.build();
        a.track("u", "Warm Up");
        a.flush(Duration.ofSeconds(30));
        closeable = a;
        break;
      }
      case "analytics-java": {
        // Its defaults, as the side-by-side runs build it (the same header so the collector counts it).
        SideBySide.Sender aj = SideBySide.sender("analytics-java", endpoint);
        aj.track(0);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (aj.delivered() == 0 && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        closeable = aj::close;
        break;
      }
      default:
        throw new IllegalArgumentException("unknown client " + client);
    }
    Thread.sleep(10_000); // let start-up work (JIT, class loading, the first request) settle
    Map<Long, Long> threadsBefore = new java.util.HashMap<>();
    for (long id : tm.getAllThreadIds()) {
      threadsBefore.put(id, tm.getThreadCpuTime(id));
    }
    long before = os.getProcessCpuTime();
    Thread.sleep(seconds * 1_000L);
    long cpu = os.getProcessCpuTime() - before;
    // The client's own threads: those started since the JVM's own, less the JIT's compiler threads.
    long own = 0;
    for (long id : tm.getAllThreadIds()) {
      java.lang.management.ThreadInfo info = tm.getThreadInfo(id);
      long now = tm.getThreadCpuTime(id);
      if (info == null || now < 0 || jvmThreads.contains(id) || info.getThreadName().contains("Compiler")) {
        continue;
      }
      own += now - threadsBefore.getOrDefault(id, 0L);
    }
    System.out.println("own-ms " + Math.round(own / 1e6 * 60.0 / seconds));
    System.out.println("cpu-ms " + Math.round(cpu / 1e6 * 60.0 / seconds));
    closeable.close();
    if (spoolDir != null) {
      deleteTree(spoolDir.toFile());
    }
  }

  private static String section(Map<String, Long> cpuMs, Map<String, Long> ownMs, int seconds) {
    StringBuilder s = new StringBuilder();
    s.append(START).append('\n');
    s.append("## Idle CPU\n\n");
    s.append("Process CPU of a JVM that built the client, sent one event and then did nothing, per minute of idle"
        + " time (measured over " + seconds + " s, each client in its own JVM, `java -cp bench/target/benchmarks.jar"
        + " dev.beacon.bench.IdleCpu`, after 10 s to settle). A library embedded in many services should cost what"
        + " an idle JVM costs. The process figure includes the JVM's own noise (GC, JIT); the last column counts only"
        + " the threads the client started.\n\n");
    s.append("| client | process CPU ms per idle minute | client threads' CPU ms per idle minute |\n|---|---:|---:|\n");
    String[] names = {"JVM with no client (floor)", "Beacon, memory mode", "Beacon, Chronicle spool",
        "analytics-java 3.5.4, defaults"};
    int i = 0;
    for (Map.Entry<String, Long> e : cpuMs.entrySet()) {
      s.append("| ").append(names[i++]).append(" | ").append(e.getValue()).append(" | ")
          .append(ownMs.get(e.getKey())).append(" |\n");
    }
    s.append('\n').append(END).append('\n');
    return s.toString();
  }

  private static void patch(Path md, String section) throws IOException {
    String page = Files.exists(md) ? Files.readString(md, StandardCharsets.UTF_8) : "";
    int a = page.indexOf(START);
    int b = page.indexOf(END);
    String out;
    if (a >= 0 && b > a) {
      out = page.substring(0, a) + section + page.substring(b + END.length() + 1 > page.length() ? page.length()
          : b + END.length() + 1);
    } else {
      out = page + (page.endsWith("\n") || page.isEmpty() ? "\n" : "\n\n") + section;
    }
    Files.writeString(md, out, StandardCharsets.UTF_8);
    System.out.println("wrote the Idle CPU section of " + md);
  }

  private static void deleteTree(File f) {
    File[] kids = f.listFiles();
    if (kids != null) {
      for (File k : kids) {
        deleteTree(k);
      }
    }
    f.delete();
  }
}
