package dev.beacon.internal;

import dev.beacon.spi.Transport;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * The transport factory for a transport instance the user gave the builder
 * ({@code Analytics.Builder.transport}): every build gets that same instance. A build that fails
 * leaves it open (the builder still holds it, and a corrected build uses it again); a transport
 * made by a provider for the failed build is closed instead. Not API.
 *
 * @param transport the user's instance
 */
public record GivenTransport(Transport transport) implements Function<ThreadFactory, Transport> {
  @Override
  public Transport apply(ThreadFactory threads) {
    return transport;
  }
}
