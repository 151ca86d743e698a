package dev.beacon.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment's server SDK for Node.js, {@code @segment/analytics-node} 3.1.0 (from the npm registry,
 * run by Debian's {@code nodejs}), sends identify and track calls for several users to the gateway's
 * {@code /v1/batch} with Basic auth; every call it was told succeeded is in the sink exactly once,
 * and each user's calls are in the order the client made them (interleaved within each batch).
 *
 * <p>Needs {@code node} and the package installed where {@code .ci/browser-test-deps} puts it
 * ({@code build/node/analytics-node}). Without them it is skipped on a developer machine (the reason
 * names the command to run) and fails in CI ({@code CI=true}), as the browser tests do.
 */
class AnalyticsNodeGatewayTest {
  private static final String INSTALL = "run .ci/browser-test-deps (apt-get install npm nodejs; "
      + "npm install @segment/analytics-node@3.1.0 into build/node/analytics-node)";
  private static final int USERS = 5;
  private static final int ROUNDS = 10;
  /** A deadline for the whole client run, generous for a busy 2-core machine; never a timing assertion. */
  private static final Duration RUN_DEADLINE = Duration.ofSeconds(300);

  private static Path node;
  private static Path modules;
  private static String missingReason;

  @TempDir Path dir;

  @BeforeAll
  static void findNodeAndThePackage() {
    node = Paths.get(System.getProperty("beacon.node", "/usr/bin/node"));
    modules = Paths.get(System.getProperty("beacon.analyticsNode", "../build/node/analytics-node"))
        .toAbsolutePath().normalize().resolve("node_modules");
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(node)) {
      missing.add("no node at " + node);
    }
    if (!Files.isRegularFile(modules.resolve("@segment/analytics-node/package.json"))) {
      missing.add("no @segment/analytics-node in " + modules);
    }
    missingReason = missing.isEmpty() ? null : String.join("; ", missing) + ": " + INSTALL;
    if (missingReason != null && "true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("CI must run the analytics-node test: " + missingReason);
    }
  }

  @Test
  void everyAcknowledgedCallArrivesOnceInPerUserOrder() throws Exception {
    assumeTrue(missingReason == null, () -> "analytics-node test skipped: " + missingReason);
    RecordingSink sink = new RecordingSink();
    Gateway gateway = Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0).build().start();
    List<String> output;
    int exit;
    try {
      Path script = dir.resolve("send.js");
      try (InputStream in = getClass().getResourceAsStream("/analytics-node/send.js")) {
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      Path log = dir.resolve("client.log");
      ProcessBuilder pb = new ProcessBuilder(node.toString(), script.toString(),
          gateway.uri().toString().replaceAll("/$", ""), String.valueOf(USERS), String.valueOf(ROUNDS))
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("NODE_PATH", modules.toString());
      pb.environment().put("BEACON_TEST_WRITE_KEY", GatewayFixture.KEY);
      Process client = pb.start();
      if (!client.waitFor(RUN_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        client.destroyForcibly().waitFor();
        fail("analytics-node did not finish within " + RUN_DEADLINE + ": " + Files.readString(log));
      }
      exit = client.exitValue();
      output = Files.readAllLines(log, StandardCharsets.UTF_8);
    } finally {
      assertThat(gateway.close(Duration.ofSeconds(30))).isTrue();
    }

    assertThat(exit).as("client exit; output %s", output).isZero();
    Map<String, String> acknowledged = new LinkedHashMap<>();
    for (String line : output) {
      String[] f = line.split(" ");
      if (f.length == 4 && f[0].equals("ok")) {
        acknowledged.put(f[1], f[2] + " " + f[3]);
      }
    }
    assertThat(acknowledged).as("acknowledged calls; output %s", output).hasSize(USERS * ROUNDS * 2);

    List<Map<String, Object>> received = sink.messages();
    Map<String, Integer> times = new HashMap<>();
    Map<String, List<Integer>> perUser = new LinkedHashMap<>();
    for (Map<String, Object> m : received) {
      String id = (String) m.get("messageId");
      times.merge(id, 1, Integer::sum);
      String userId = (String) m.get("userId");
      Map<?, ?> payload = (Map<?, ?>) (m.get("type").equals("identify") ? m.get("traits") : m.get("properties"));
      perUser.computeIfAbsent(userId, u -> new ArrayList<>()).add(((Number) payload.get("seq")).intValue());
      assertThat(acknowledged.get(id)).as("sink holds %s, never acknowledged to the client", id)
          .isEqualTo(userId + " " + payload.get("seq"));
      assertThat(((Map<?, ?>) ((Map<?, ?>) m.get("context")).get("library")).get("name"))
          .isEqualTo("@segment/analytics-node");
      assertThat(m).doesNotContainKey("writeKey");
    }
    assertThat(times).as("each acknowledged call in the sink exactly once").containsOnlyKeys(acknowledged.keySet())
        .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    List<Integer> inOrder = IntStream.range(0, ROUNDS * 2).boxed().toList();
    assertThat(perUser).hasSize(USERS).allSatisfy((user, seqs) -> assertThat(seqs).as(user).isEqualTo(inOrder));
  }
}
