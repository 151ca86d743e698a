package dev.beacon.examples.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Proves the tests above ran on the project's own JUnit, not one the testkit brought. */
class JUnitVersionTest {
  @Test
  void jupiterApiAndEngineAreTheProjectsVersion() throws ClassNotFoundException {
    String expected = System.getProperty("example.junit.version");
    assertThat(expected).as("example.junit.version, set by the pom").isNotBlank();
    assertThat(Test.class.getPackage().getImplementationVersion()).as("junit-jupiter-api").isEqualTo(expected);
    Class<?> engine = Class.forName("org.junit.jupiter.engine.JupiterTestEngine");
    assertThat(engine.getPackage().getImplementationVersion()).as("junit-jupiter-engine").isEqualTo(expected);
  }
}
