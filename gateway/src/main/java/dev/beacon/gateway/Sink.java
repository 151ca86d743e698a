package dev.beacon.gateway;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where the gateway puts the events it accepts. The gateway answers 200 only once the future
 * {@link #append} returned completed normally: an implementation completes it only when every
 * event given is durable by its own definition (journaled, acknowledged by a broker). It fails it
 * with {@link Unavailable} when it cannot take events now (the client gets 503 with
 * {@code Retry-After} and sends again) and with {@link Refused} when these events can never be
 * taken (500, never retried by the gateway). Implementations are thread-safe; {@link #append} may
 * block (the gateway never calls it on a network thread) but should not wait long.
 *
 * <p>An adapter over another component's sink is a few lines: map {@link Event} to its event,
 * forward {@code append}, and translate its exceptions to these two.
 */
public interface Sink extends AutoCloseable {
  /**
   * One accepted message, ready to store.
   *
   * @param json the message as Segment stores it (normalized, {@code receivedAt}, {@code context.ip}
   *     and {@code messageId} set), UTF-8 JSON; never holds the write key
   * @param type the message type, e.g. {@code track}
   * @param key the partitioning key: userId, else anonymousId
   * @param source the name of the source whose write key sent it (never the key itself)
   * @param complete whether the gateway found the message complete as Beacon's engine defines it
   *     (a {@code messageId}, a {@code timestamp} in the spelling libraries send, a
   *     {@code context.library} object) and valid by rules at least as strict as the engine's, so
   *     that a sink feeding the engine may take the bytes as they are, without judging them again
   */
  record Event(byte[] json, String type, String key, String source, boolean complete) {
    /**
     * An event not known to be complete: a sink judges it as it would any message.
     *
     * @param json the message's JSON
     * @param type the message type
     * @param key the partitioning key
     * @param source the source's name
     */
    public Event(byte[] json, String type, String key, String source) {
      this(json, type, key, source, false);
    }

    @Override
    public String toString() {
      return "Event[" + type + ", " + json.length + " bytes, source=" + source + "]";
    }
  }

  /**
   * Makes events durable.
   *
   * @param events the events of one request, in request order
   * @return completes when all are durable; fails with {@link Unavailable} or {@link Refused}
   *     (any other failure is answered like {@link Unavailable})
   */
  CompletableFuture<Void> append(List<Event> events);

  /**
   * Whether the sink can take events now (what {@code /ready} answers).
   *
   * @return true when healthy
   */
  boolean ready();

  /**
   * A short, log-safe description of the sink's state, e.g. {@code "journal ok"}.
   *
   * @return the state
   */
  String state();

  /**
   * Makes everything appended so far durable and forwarded where the sink can, and releases it,
   * within {@code timeout}.
   *
   * @param timeout the most time to take
   * @return whether everything was settled in time
   */
  boolean close(Duration timeout);

  /** Closes with a 30-second timeout. */
  @Override
  default void close() {
    close(Duration.ofSeconds(30));
  }

  /** The sink cannot take events now: the client should send them again later (503). */
  final class Unavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes one.
     *
     * @param message why, safe to show a client
     */
    public Unavailable(String message) {
      super(message);
    }
  }

  /** The sink will never take these events (500). */
  final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes one.
     *
     * @param message why, safe to show a client
     */
    public Refused(String message) {
      super(message);
    }
  }
}
