package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/**
 * Spring Boot finds {@link BeaconFailureAnalyzer} through {@code META-INF/spring.factories} and its
 * startup failure report names the property to fix (runs on 3.5 and, in boot4-tests, on 4.0 and 4.1).
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureReportTest {
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(BeaconAutoConfiguration.class)
  static class App {}

  @Test
  void aMissingWriteKeyStopsStartupWithAReportNamingTheProperty(CapturedOutput output) {
    assertThatThrownBy(() -> new SpringApplicationBuilder(App.class).web(WebApplicationType.NONE)
        .run("--beacon.write-key=", "--spring.main.banner-mode=off"))
        .hasStackTraceContaining("beacon.write-key is not set");
    assertThat(output).contains("APPLICATION FAILED TO START")
        .contains("beacon.write-key is not set")
        .contains("Set beacon.write-key (for example write-key: ${SEGMENT_WRITE_KEY} in application.yml");
  }
}
