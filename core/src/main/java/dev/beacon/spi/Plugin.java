package dev.beacon.spi;

import dev.beacon.Message;

/**
 * Acts on every message between the call and the queue: enriches it, redacts it, filters it or
 * checks it against a tracking plan. Registered in order with
 * {@code Analytics.builder(key).plugin(...)}; each plugin sees what the one before it returned.
 *
 * <p>A plugin runs on the caller's thread, inside {@code track()} and the other calls, after the
 * message was built and validated and before it is queued. It returns:
 * <ul>
 *   <li>the message it was given, to pass it on unchanged;</li>
 *   <li>a changed copy, made with {@link Message#toBuilder()}: the copy's {@code build()}
 *       validates it and bounds its size again, like any message;</li>
 *   <li>{@code null}, to drop it: the call returns {@code false} and the drop is counted under
 *       {@link dev.beacon.DropReason#FILTERED}.</li>
 * </ul>
 *
 * <p>A plugin that throws never breaks the call: the error is counted in
 * {@link dev.beacon.Stats#pluginErrors()}, logged at a bounded rate, and the message goes on to the
 * next plugin as it was before the failing one. A bug in an enricher should cost an enrichment, not
 * the event. A plugin that must not fail open (a redactor, say) catches its own errors and returns
 * {@code null}. The one exception that reaches the caller is {@link MessageRejectedException}, thrown
 * on purpose to refuse a call with an error (strict tracking-plan checks in tests and development).
 *
 * <p>Implementations must be thread-safe (every application thread calls them) and cheap: their
 * cost is added to every call.
 */
@FunctionalInterface
public interface Plugin {
  /**
   * Acts on one message.
   *
   * @param message a built, validated message
   * @return the same message, a changed copy, or {@code null} to drop it
   * @throws MessageRejectedException to refuse the call with an error the caller sees
   */
  Message apply(Message message);

  /**
   * Returns the name used in log lines about this plugin.
   *
   * @return by default the simple class name
   */
  default String name() {
    String n = getClass().getSimpleName();
    return n.isEmpty() ? getClass().getName() : n;
  }
}
