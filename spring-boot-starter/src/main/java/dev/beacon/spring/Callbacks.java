package dev.beacon.spring;

import dev.beacon.DeliveryCallback;
import dev.beacon.ErrorHandler;
import java.util.List;

/**
 * One callback from all the context's beans of a callback type, called in their {@code @Order}.
 * Each is called even when one before it throws; the first exception is then rethrown (with the
 * others suppressed) so the client counts the failure in {@code stats().callbackErrors()}.
 */
final class Callbacks {
  private Callbacks() {}

  static ErrorHandler errorHandler(List<ErrorHandler> handlers) {
    if (handlers.isEmpty()) {
      return null;
    }
    if (handlers.size() == 1) {
      return handlers.get(0);
    }
    List<ErrorHandler> all = List.copyOf(handlers);
    return (error, messages) -> callAll(all, h -> h.onError(error, messages));
  }

  static DeliveryCallback deliveryCallback(List<DeliveryCallback> callbacks) {
    if (callbacks.isEmpty()) {
      return null;
    }
    if (callbacks.size() == 1) {
      return callbacks.get(0);
    }
    List<DeliveryCallback> all = List.copyOf(callbacks);
    return messages -> callAll(all, c -> c.onDelivered(messages));
  }

  private static <T> void callAll(List<T> callbacks, java.util.function.Consumer<T> call) {
    RuntimeException first = null;
    for (T c : callbacks) {
      try {
        call.accept(c);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
