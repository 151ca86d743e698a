/**
 * Spring Boot auto-configuration for Beacon: an {@link dev.beacon.Analytics} bean from the
 * {@code beacon.*} properties ({@link dev.beacon.spring.BeaconProperties}), Micrometer metrics,
 * an Actuator health indicator, and the test slice {@link dev.beacon.spring.AutoConfigureBeaconCapture}.
 * See docs/spring-boot.md.
 */
package dev.beacon.spring;
