package dev.beacon.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a {@link BeaconConfigurationException} in Spring Boot's startup failure report, with
 * the property to fix. Registered in {@code META-INF/spring.factories}.
 */
public final class BeaconFailureAnalyzer extends AbstractFailureAnalyzer<BeaconConfigurationException> {
  /** Created by Spring Boot. */
  public BeaconFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BeaconConfigurationException cause) {
    if ("httpclient5.version".equals(cause.property())) {
      return new FailureAnalysis(cause.getMessage(), "Use Apache HttpClient 5.4 or later with HttpCore 5.3 or later:"
          + " the versions Spring Boot 3.5 and 4.x manage work, so remove any override of httpclient5.version and"
          + " httpcore5.version (Maven <properties>, Gradle ext[...]) that pins an older one.", cause);
    }
    String action = "beacon.write-key".equals(cause.property())
        ? "Set beacon.write-key (for example write-key: ${SEGMENT_WRITE_KEY} in application.yml, or the BEACON_WRITE_KEY environment variable),"
            + " or set beacon.enabled=false to run without Beacon."
        : "Fix " + cause.property() + " (see docs/spring-boot.md for every beacon.* property and its range),"
            + " or set beacon.enabled=false to run without Beacon.";
    return new FailureAnalysis(cause.getMessage(), action, cause);
  }
}
