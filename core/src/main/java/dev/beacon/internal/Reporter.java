package dev.beacon.internal;

import dev.beacon.DeliveryException;
import dev.beacon.ErrorHandler;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Counts final failures and hands them to the error callback, which can never hurt us. Not API. */
final class Reporter {
  private static final Logger LOG = LoggerFactory.getLogger("dev.beacon.Analytics");

  private final Counters counters;
  private final ErrorHandler handler;
  private final AtomicBoolean authErrorLogged = new AtomicBoolean();
  private final RateLimitedLog failureLog = new RateLimitedLog(LOG, 5_000_000_000L);

  Reporter(Counters counters, ErrorHandler handler) {
    this.counters = counters;
    this.handler = handler;
  }

  DeliveryException report(FailureReason reason, int status, List<Message> messages, String detail,
      Throwable cause) {
    return report(reason, status, messages.size(), messages, detail, cause);
  }

  /** Reports {@code n} failed messages, of which {@code messages} are known (damaged records are not). */
  DeliveryException report(FailureReason reason, int status, int n, List<Message> messages, String detail,
      Throwable cause) {
    counters.failed(reason, n);
    DeliveryException error = new DeliveryException(reason, status, n, detail, cause);
    if (reason == FailureReason.UNAUTHORIZED && authErrorLogged.compareAndSet(false, true)) {
      LOG.error("Segment refused this client's write key (HTTP {}): check the write key of the source."
          + " Messages are not retried and go to the error callback.", status);
    }
    if (handler == null) {
      failureLog.warn("Beacon could not deliver {} message(s): {}", n, error.getMessage());
    } else {
      try {
        handler.onError(error, messages);
      } catch (Throwable t) {
        counters.callbackErrors.incrementAndGet();
        failureLog.warn("Beacon's error callback threw {}", t.toString());
      }
    }
    return error;
  }
}
