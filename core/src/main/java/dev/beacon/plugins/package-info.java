/**
 * Built-in {@link dev.beacon.spi.Plugin}s: {@link dev.beacon.plugins.ContextEnricher} stamps static
 * context on every message, {@link dev.beacon.plugins.PropertyRedactor} drops or hashes personal
 * data, {@link dev.beacon.plugins.EventFilter} drops events by name, type or predicate. Register
 * them with {@code Analytics.builder(key).plugin(...)}; see docs/plugins.md.
 */
package dev.beacon.plugins;
