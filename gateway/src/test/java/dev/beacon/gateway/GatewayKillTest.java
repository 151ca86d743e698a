package dev.beacon.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a gateway child JVM under load, with the local journal: every event that got a 200
 * is delivered to the forward target once the gateway runs again on the same journal.
 */
class GatewayKillTest {
  private static final int CLIENTS = 4;
  @TempDir
  Path dir;

  @Test
  void everyEventAnswered200SurvivesKill9AndIsDeliveredAfterRestart() throws Exception {
    Path keys = GatewayFixture.keysFile(dir);
    Path journal = dir.resolve("journal");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicLong ids = new AtomicLong();
    try (CollectorServer target = CollectorServer.builder().writeKey("forward-key").build().start()) {
      long[] killAfter = {300, 900, 1500};
      for (long threshold : killAfter) {
        Process child = start(journal, target.uri(), keys);
        URI base = URI.create("http://127.0.0.1:" + port(child));
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
          Thread t = new Thread(() -> load(base, stop, ids, acknowledged), "client-" + c);
          t.start();
          clients.add(t);
        }
        long target0 = acknowledged.size() + threshold;
        GatewayFixture.await("the gateway acknowledged events under load", () -> acknowledged.size() >= target0);
        child.toHandle().destroyForcibly(); // SIGKILL, while the clients are still posting
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        for (Thread t : clients) {
          t.join();
        }
      }
      Process last = start(journal, target.uri(), keys);
      try {
        port(last);
        GatewayFixture.await("every acknowledged event is delivered after the restart", () -> {
          Set<String> got = new HashSet<>();
          for (CapturedMessage m : target.messages()) {
            got.add(m.messageId());
          }
          return got.containsAll(acknowledged);
        });
      } finally {
        last.destroy();
        last.waitFor(60, TimeUnit.SECONDS);
      }
      assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(2700);
    }
  }

  /** Posts batches of 10 until told to stop or the gateway is gone; records what got a 200. */
  private static void load(URI base, AtomicBoolean stop, AtomicLong ids, Set<String> acknowledged) {
    while (!stop.get()) {
      List<String> batchIds = new ArrayList<>();
      List<String> messages = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "k-" + ids.incrementAndGet();
        batchIds.add(id);
        messages.add("{\"type\":\"track\",\"userId\":\"u" + (i % 3) + "\",\"event\":\"Load\",\"messageId\":\"" + id
            + "\",\"properties\":{\"pad\":\"" + "p".repeat(300) + "\"}}");
      }
      try {
        HttpResponse<String> r = GatewayFixture.post(base, "/v1/batch",
            GatewayFixture.batch(messages.toArray(String[]::new)), GatewayFixture.KEY);
        if (r.statusCode() == 200) {
          acknowledged.addAll(batchIds);
        }
      } catch (Exception e) {
        return; // the gateway was killed: no answer, nothing acknowledged
      }
    }
  }

  private static Process start(Path journal, URI forward, Path keys) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-") || a.startsWith("-Dchronicle") || a.startsWith("-Ddisable")
            || a.startsWith("--enable-native") || a.startsWith("--sun-misc"))
        .toList());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(GatewayChild.class.getName());
    cmd.add(journal.toString());
    cmd.add(forward.toString());
    cmd.add(keys.toString());
    cmd.add("PROCESS_CRASH");
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Reads the child's port from its {@code LISTENING} line. */
  private static int port(Process child) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("LISTENING ")) {
        return Integer.parseInt(line.substring(10).trim());
      }
    }
    throw new IllegalStateException("the gateway child exited before listening (exit " + child.exitValue() + ")");
  }
}
