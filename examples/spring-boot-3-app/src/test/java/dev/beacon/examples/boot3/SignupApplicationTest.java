package dev.beacon.examples.boot3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The application as a platform runs it: a child JVM with real Tomcat on 127.0.0.1, configured
 * only from the command line (as from the environment), sending to a local {@link CollectorServer};
 * then SIGTERM, with Boot's graceful shutdown, and every tracked event must have arrived.
 */
class SignupApplicationTest {
  private static final String KEY = "example-write-key";
  /** Generous: a busy 2-core machine starts a Boot application in seconds, not minutes. */
  private static final Duration DEADLINE = Duration.ofMinutes(2);
  private static final Pattern PORT = Pattern.compile("Tomcat started on port\\(?s?\\)?:? (\\d+)");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void tracksThroughTheStarterShowsHealthAndMetricsAndDeliversEverythingOnSigterm() throws Exception {
    try (CollectorServer collector = CollectorServer.builder().writeKey(KEY).build().start()) {
      Process app = start(collector.uri());
      List<String> log = new CopyOnWriteArrayList<>();
      CompletableFuture<Integer> port = new CompletableFuture<>();
      Thread reader = new Thread(() -> readLog(app, log, port), "example-app-log");
      reader.setDaemon(true);
      reader.start();
      try {
        URI base = URI.create("http://127.0.0.1:" + port.get(DEADLINE.toSeconds(), TimeUnit.SECONDS));

        List<String> users = new ArrayList<>();
        IntStream.range(0, 10).forEach(i -> users.add(signUp(base, "before-" + i)));
        collector.awaitMessages(10, DEADLINE);
        assertThat(await(() -> delivered(base), n -> n == 10.0)).isEqualTo(10.0);
        JsonNode health = JSON.readTree(get(base.resolve("/actuator/health")));
        assertThat(health.at("/components/beacon/status").asText()).as("%s", health).isEqualTo("UP");
        assertThat(health.at("/components/beacon/details/delivered").asLong()).isEqualTo(10);

        // Pending when the platform stops the application: fewer than flush-at, and the flush
        // interval is 10 minutes, so only the client's close() on the way down can deliver these.
        IntStream.range(0, 5).forEach(i -> users.add(signUp(base, "at-sigterm-" + i)));
        assertThat(collector.messages()).hasSize(10);
        app.destroy(); // SIGTERM
        assertThat(app.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();

        assertThat(collector.messages()).extracting(CapturedMessage::userId)
            .as("every event reached the collector before the process exited; log:%n%s", String.join("\n", log))
            .containsExactlyInAnyOrderElementsOf(users);
        assertThat(collector.duplicateMessageIds()).isEmpty();
      } finally {
        app.destroyForcibly();
      }
    }
  }

  private static Process start(URI endpoint) throws IOException {
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp", classPath,
        SignupApplication.class.getName(),
        "--server.address=127.0.0.1", "--server.port=0", "--server.shutdown=graceful",
        "--beacon.write-key=" + KEY, "--beacon.endpoint=" + endpoint,
        // A batch every 10 events and never by time: what is pending at SIGTERM is known.
        "--beacon.batch.flush-at=10", "--beacon.batch.flush-interval=10m",
        "--management.endpoints.web.exposure.include=health,metrics",
        "--management.endpoint.health.show-details=always");
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static void readLog(Process app, List<String> log, CompletableFuture<Integer> port) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        log.add(line);
        Matcher m = PORT.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(1)));
        }
      }
    } catch (IOException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(new IllegalStateException("the application exited before Tomcat started:\n"
        + String.join("\n", log)));
  }

  private String signUp(URI base, String user) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/signups?user=" + user))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("POST /signups").isEqualTo(202);
      return user;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private String get(URI uri) {
    try {
      return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private double delivered(URI base) {
    String body = get(base.resolve("/actuator/metrics/beacon.messages.delivered"));
    try {
      for (JsonNode m : JSON.readTree(body).path("measurements")) {
        if ("COUNT".equals(m.path("statistic").asText())) {
          return m.path("value").asDouble();
        }
      }
      return -1;
    } catch (IOException e) {
      throw new IllegalStateException("not JSON: " + body, e);
    }
  }

  /** Polls until the condition holds or the deadline passes; returns the last value seen. */
  private static <T> T await(Supplier<T> value, java.util.function.Predicate<T> done) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    T last = value.get();
    while (!done.test(last) && System.nanoTime() < deadline) {
      Thread.sleep(50); // a poll interval, not a wait for time to pass: the condition ends it
      last = value.get();
    }
    return last;
  }
}
