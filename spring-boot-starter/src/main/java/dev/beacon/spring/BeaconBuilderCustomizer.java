package dev.beacon.spring;

import dev.beacon.Analytics;

/**
 * Changes the builder of the auto-configured client after the {@code beacon.*} properties were
 * applied and before {@code build()}: for what properties cannot express (a thread factory, a
 * custom spool). Every bean of this type is applied, in {@code @Order}.
 */
@FunctionalInterface
public interface BeaconBuilderCustomizer {
  /**
   * Customizes the builder.
   *
   * @param builder the builder, with the properties applied
   */
  void customize(Analytics.Builder builder);
}
