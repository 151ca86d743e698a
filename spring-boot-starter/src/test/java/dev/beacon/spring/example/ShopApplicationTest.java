package dev.beacon.spring.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.Analytics;
import dev.beacon.testkit.BeaconAssertions;
import dev.beacon.testkit.CollectorServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The example shop on a real embedded web server (an ephemeral port on 127.0.0.1), sending to a
 * real local Segment-compatible collector: the checkout endpoint tracks, and Actuator's health and
 * metrics endpoints show Beacon, all read over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "server.address=127.0.0.1")
class ShopApplicationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final CollectorServer COLLECTOR =
      CollectorServer.builder().writeKey("shop-write-key").build().start();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

  @LocalServerPort int port;
  @Autowired Analytics analytics;

  @DynamicPropertySource
  static void beacon(DynamicPropertyRegistry registry) {
    registry.add("beacon.write-key", COLLECTOR::writeKey);
    registry.add("beacon.endpoint", () -> COLLECTOR.uri().toString());
  }

  @AfterAll
  static void stopCollector() {
    COLLECTOR.close();
  }

  @Test
  void checkoutTracksAndActuatorShowsTheDelivery() throws Exception {
    COLLECTOR.reset();
    HttpResponse<String> checkout = post("/orders/ORD-1/checkout?userId=user_1&total=99.99");
    assertThat(checkout.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(checkout.body()).get("tracked").asBoolean()).isTrue();

    COLLECTOR.awaitMessages(1, WAIT);
    BeaconAssertions.assertThat(COLLECTOR).hasTracked("Order Completed")
        .withUserId("user_1").withProperty("orderId", "ORD-1");
    assertThat(analytics.flush(WAIT).isSuccess()).as("the client saw the delivery acknowledged").isTrue();

    JsonNode delivered = getJson("/actuator/metrics/beacon.messages.delivered?tag=client:shop", 200);
    assertThat(delivered.at("/measurements/0/value").asDouble()).isGreaterThanOrEqualTo(1);
    JsonNode health = getJson("/actuator/health", 200);
    assertThat(health.at("/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/beacon/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/beacon/details/delivered").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(health.toString()).doesNotContain(COLLECTOR.writeKey());
  }

  @Test
  void aRefusedWriteKeyTakesHealthDownUntilDeliveriesResume() throws Exception {
    COLLECTOR.failNext(1, 401);
    post("/orders/ORD-2/checkout?userId=user_2&total=10");
    analytics.flush(WAIT);

    JsonNode down = getJson("/actuator/health", 503);
    assertThat(down.at("/status").asText()).isEqualTo("DOWN");
    assertThat(down.at("/components/beacon/status").asText()).isEqualTo("DOWN");
    assertThat(down.at("/components/beacon/details/lastFailure/reason").asText()).isEqualTo("unauthorized");
    JsonNode failed = getJson(
        "/actuator/metrics/beacon.messages.failed?tag=client:shop&tag=reason:unauthorized", 200);
    assertThat(failed.at("/measurements/0/value").asDouble()).isGreaterThanOrEqualTo(1);

    post("/orders/ORD-3/checkout?userId=user_2&total=10");
    assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
    assertThat(getJson("/actuator/health", 200).at("/components/beacon/status").asText()).isEqualTo("UP");
  }

  private HttpResponse<String> post(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).POST(HttpRequest.BodyPublishers.noBody())
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String path, int expectedStatus) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(expectedStatus);
    return JSON.readTree(response.body());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
