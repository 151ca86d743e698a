package dev.beacon.examples.junit5;

import dev.beacon.Analytics;
import java.util.Map;

/** The application code under test: a sign-up identifies the user and tracks the event. */
public final class Signups {
  private final Analytics analytics;

  /**
   * Creates the service.
   *
   * @param analytics the client it reports to
   */
  public Signups(Analytics analytics) {
    this.analytics = analytics;
  }

  /**
   * Signs a user up.
   *
   * @param userId the new user's id
   * @param plan the chosen plan
   */
  public void signUp(String userId, String plan) {
    analytics.identify(userId, Map.of("plan", plan));
    analytics.track(userId, "Signed Up", Map.of("plan", plan));
  }
}
