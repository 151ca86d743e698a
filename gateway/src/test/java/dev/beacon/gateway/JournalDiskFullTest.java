package dev.beacon.gateway;

import static dev.beacon.gateway.GatewayFixture.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.beacon.SpoolDurability;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under the journal: 503 with Retry-After and /ready 503, never a 200 for an event the
 * journal does not hold; when space returns, /ready turns 200 with no request arriving and 200s
 * resume; every event answered 200 is forwarded.
 * Needs a tmpfs (root and mount permission); skipped, saying why, without one.
 */
class JournalDiskFullTest {
  @TempDir
  Path dir;
  private Path mounted;

  @AfterEach
  void unmount() throws Exception {
    if (mounted == null) {
      return;
    }
    // Chronicle unmaps closed files on a background thread: wait for it, as ChronicleSpoolDiskTest does.
    BackgroundResourceReleaser.releasePendingResources();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!run("umount", mounted.toString())) {
      assertThat(System.nanoTime()).as("time to unmount " + mounted).isLessThan(deadline);
      System.gc();
      Thread.sleep(50);
    }
  }

  private static boolean run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @Test
  void aFullDiskIs503NeverA200AndSpaceReturningResumes200s() throws Exception {
    assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "tmpfs needs Linux");
    Path mp = Files.createDirectories(dir.resolve("mnt"));
    assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=128m", "tmpfs", mp.toString()),
        "cannot mount a tmpfs here (needs root and mount permission)");
    mounted = mp;
    Set<String> acknowledged = new HashSet<>();
    try (CollectorServer target = CollectorServer.builder().writeKey("fwd").build().start()) {
      JournalSink sink = JournalSink.open(mp.resolve("journal"), target.uri(), "fwd", SpoolDurability.PROCESS_CRASH);
      try (Gateway gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).build().start()) {
        URI base = gateway.uri();
        int[] n = {0};
        assertThat(post(base, n, acknowledged).statusCode()).isEqualTo(200);

        // Another tenant eats the disk down to less than the journal's margin (two 16 MB blocks + 1 MB).
        Path filler = mp.resolve("filler");
        long fill = Files.getFileStore(mp).getUsableSpace() - 20L * 1024 * 1024;
        try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          byte[] block = new byte[1 << 20];
          for (long written = 0; written < fill; written += block.length) {
            ch.write(java.nio.ByteBuffer.wrap(block));
          }
        }
        HttpResponse<String>[] refused = new HttpResponse[1];
        GatewayFixture.await("the gateway answers 503", () -> {
          HttpResponse<String> r = post(base, n, acknowledged);
          if (r.statusCode() == 503) {
            refused[0] = r;
            return true;
          }
          assertThat(r.statusCode()).isEqualTo(200);
          return false;
        });
        assertThat(refused[0].headers().firstValue("Retry-After")).hasValue("5");
        assertThat(refused[0].body()).contains("not writable");
        HttpResponse<String> ready = GatewayFixture.send(HttpRequest.newBuilder(base.resolve("/ready")).build());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(post(base, n, acknowledged).statusCode()).isEqualTo(503);

        Files.delete(filler);
        // No client sends anything now (a load balancer sends nothing to a gateway that is not
        // ready): the engine's own probe of the degraded journal must find the space (issue 20).
        GatewayFixture.await("/ready answers 200 without traffic", () -> readyStatus(base) == 200);
        assertThat(gateway.ready()).isTrue();
        assertThat(post(base, n, acknowledged).statusCode()).isEqualTo(200);

        GatewayFixture.await("every event answered 200 is forwarded", () -> {
          Set<String> got = new HashSet<>();
          for (CapturedMessage m : target.messages()) {
            got.add(m.messageId());
          }
          return got.containsAll(acknowledged);
        });
      }
    }
  }

  private static int readyStatus(URI base) {
    try {
      return GatewayFixture.send(HttpRequest.newBuilder(base.resolve("/ready")).build()).statusCode();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Posts one batch of 5; records its ids when answered 200. */
  private static HttpResponse<String> post(URI base, int[] n, Set<String> acknowledged) {
    StringBuilder b = new StringBuilder("{\"batch\":[");
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      String id = "d-" + (n[0]++);
      ids.add(id);
      b.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"")
          .append(id).append("\",\"properties\":{\"pad\":\"").append("p".repeat(2000)).append("\"}}");
    }
    try {
      HttpResponse<String> r = GatewayFixture.post(base, "/v1/batch", b.append("]}").toString(), KEY);
      if (r.statusCode() == 200) {
        acknowledged.addAll(ids);
      }
      return r;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
