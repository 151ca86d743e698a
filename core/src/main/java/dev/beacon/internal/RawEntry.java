package dev.beacon.internal;

import dev.beacon.Analytics;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * The engine's entry for messages that are already complete JSON ({@link RawMessage}), for the
 * tools built on a Beacon client that read Segment messages rather than build them: the gateway's
 * local journal and {@code beacon import}. Not API: {@code Analytics} has no public method for it,
 * and this class reaches the client's engine through an accessor that {@code Analytics} installs
 * when it is loaded (the pattern of the JDK's {@code SharedSecrets}).
 *
 * <p>A client with plugins (a tracking plan is one) or in sync mode takes the message decoded, on
 * the path of {@code Analytics.enqueue}, so that every plugin still sees every message as a
 * {@code Message}; otherwise the bytes go to {@link Engine#offerRaw} as they are.
 */
public final class RawEntry {
  private static volatile BiPredicate<Analytics, RawMessage> access;

  private RawEntry() {}

  /**
   * Installed once by {@code Analytics}' static initializer.
   *
   * @param offer what {@link #offer} calls
   * @throws IllegalStateException when called again
   */
  public static synchronized void install(BiPredicate<Analytics, RawMessage> offer) {
    if (access != null) {
      throw new IllegalStateException("RawEntry is installed by Analytics only");
    }
    access = Objects.requireNonNull(offer, "offer");
  }

  /**
   * Enqueues one message's JSON on a client, as {@code Analytics.enqueue} enqueues a
   * {@code Message}: same return value, same refusals, same counters.
   *
   * @param client the client
   * @param message the message, from {@link RawMessage#of}
   * @return true when accepted; false when refused (queue or spool full, client closed, dropped by
   *     a plugin), counted in the client's stats
   * @throws dev.beacon.DeliveryException in sync mode, when delivery finally failed
   * @throws dev.beacon.spi.MessageRejectedException when a plugin refused the message on purpose
   */
  public static boolean offer(Analytics client, RawMessage message) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(message, "message");
    // Analytics is initialized (an instance exists), so its static initializer installed access.
    return access.test(client, message);
  }
}
