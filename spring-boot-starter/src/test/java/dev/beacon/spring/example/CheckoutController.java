package dev.beacon.spring.example;

import dev.beacon.Analytics;
import dev.beacon.MessageIds;
import dev.beacon.Track;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Tracks "Order Completed" when an order is checked out. */
@RestController
class CheckoutController {
  private final Analytics analytics;

  CheckoutController(Analytics analytics) {
    this.analytics = analytics;
  }

  @PostMapping("/orders/{orderId}/checkout")
  ResponseEntity<Map<String, Object>> checkout(@PathVariable("orderId") String orderId,
      @RequestParam("userId") String userId, @RequestParam("total") double total) {
    boolean accepted = analytics.enqueue(Track.builder("Order Completed")
        .userId(userId)
        .properties(Map.of("orderId", orderId, "total", total))
        // the same order never counts twice, even if the client retries the request
        .messageId(MessageIds.stable("order", orderId, "Order Completed"))
        .build());
    return ResponseEntity.ok(Map.of("orderId", orderId, "tracked", accepted));
  }
}
