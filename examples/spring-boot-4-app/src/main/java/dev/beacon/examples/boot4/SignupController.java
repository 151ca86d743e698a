package dev.beacon.examples.boot4;

import dev.beacon.Analytics;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Signs a user up and tracks it through the auto-configured client. */
@RestController
public class SignupController {
  private final Analytics analytics;

  /**
   * Created by Spring.
   *
   * @param analytics the auto-configured client
   */
  public SignupController(Analytics analytics) {
    this.analytics = analytics;
  }

  /**
   * {@code POST /signups?user=...}: tracks {@code Signed Up}.
   *
   * @param user the user's id
   * @return 202 when the event was accepted for delivery, 503 when Beacon refused it
   */
  @PostMapping("/signups")
  public ResponseEntity<Void> signUp(@RequestParam String user) {
    boolean accepted = analytics.track(user, "Signed Up", Map.of("plan", "free"));
    return accepted ? ResponseEntity.accepted().build() : ResponseEntity.status(503).build();
  }
}
