package dev.beacon.internal;

import dev.beacon.Message;
import java.util.function.Supplier;

/**
 * One Segment message that is already its complete JSON: validated and, where it had to be,
 * completed ({@code messageId}, {@code timestamp}, {@code context.library}) by {@link WireReader},
 * so that the engine journals and sends these bytes as they are, with no {@link Message}, map or
 * second serialization on the way. The {@link Message} the error callback and {@code onDelivered}
 * hand out is decoded from the bytes only when someone asks for it ({@link #message()}).
 *
 * <p>Why not a {@code Message} subtype carrying its bytes: {@code Message} is a sealed, public
 * type with six public final subclasses, and every message the API hands out is one of them; a
 * seventh kind would change the public API and every {@code instanceof} users write. The engine
 * instead carries either a {@code Message} or a {@code RawMessage} in its ring and batches, and
 * turns the second into the first only where a {@code Message} must leave the engine.
 *
 * <p>Enter one through {@link RawEntry#offer}. Not API.
 */
public final class RawMessage {
  private final byte[] json;
  /** Decoded on first use (racy single-check: decoding is deterministic). */
  private Message decoded;

  private RawMessage(byte[] json) {
    this.json = json;
  }

  /**
   * Judges one message's JSON once, as the Kafka relay does: a valid, complete message keeps the
   * bytes it arrived with (unknown top-level fields such as {@code receivedAt}, {@code sentAt},
   * the sender's {@code context.library} included); a valid message lacking {@code messageId},
   * {@code timestamp} or {@code context.library} keeps its bytes too, with the missing fields and
   * the codec's values for them inserted ({@link WireReader#complete}). Anything else, including every message
   * the codec refuses and the rare shapes the reader leaves to the codec, answers null: the caller
   * then decodes it with {@link MessageCodec} (which gives the refusal) and enqueues the
   * {@code Message}.
   *
   * @param json UTF-8 JSON of one message; the bytes are copied, the caller may reuse the buffer
   * @param offset start in the buffer
   * @param length length of the text
   * @param messageId the id to give a message without one (called only then)
   * @param timestampMillis the epoch milliseconds to stamp on a message without a timestamp; negative
   *     leaves such a message to the codec
   * @return the raw message, or null to use the codec
   */
  public static RawMessage of(byte[] json, int offset, int length, Supplier<String> messageId,
      long timestampMillis) {
    // One pass: read's AS_IS (the bytes, copied) or complete's output.
    byte[] settled = WireReader.settle(json, offset, length, messageId, timestampMillis);
    return settled == null ? null : new RawMessage(settled);
  }

  /**
   * The message's JSON; the engine's own array, never changed.
   *
   * @return the bytes
   */
  byte[] json() {
    return json;
  }

  /**
   * The exact serialized size, which the engine counts against {@code maxQueueBytes} and
   * {@code maxSpoolBytes} as it counts a {@code Message}'s size bound.
   *
   * @return the JSON's length in bytes
   */
  public int size() {
    return json.length;
  }

  /**
   * The message as a {@link Message}, for the error callback, {@code onDelivered} and plugins:
   * decoded once, on first use.
   *
   * @return the decoded message
   */
  public Message message() {
    Message m = decoded;
    if (m == null) {
      m = MessageCodec.decode(json, 0, json.length);
      decoded = m;
    }
    return m;
  }

  /** A ring or batch entry's size bound: a {@code Message}'s bound or a raw message's size. */
  static long bound(Object entry) {
    return entry instanceof RawMessage ? ((RawMessage) entry).size() : ((Message) entry).serializedSizeBound();
  }

  /** A ring or batch entry as a {@code Message} (decoding a raw one). */
  static Message message(Object entry) {
    return entry instanceof RawMessage ? ((RawMessage) entry).message() : (Message) entry;
  }

  /** Never the JSON: a message's content is the user's data and may be large. */
  @Override
  public String toString() {
    return "RawMessage{" + json.length + " bytes}";
  }

  /**
   * Whether {@code s} is a timestamp in the spelling every Segment library sends
   * ({@code yyyy-MM-ddTHH:mm:ss[.fraction](Z|+HH:mm|-HH:mm)}, a valid date, time and offset),
   * recognized by hand, without {@code DateTimeFormatter}: the same recognizer {@link #of} judges a
   * message's {@code timestamp} with. For the wire module's checks ({@code beacon-wire}'s
   * {@code SegmentRequests}), whose own ISO-8601 rule accepts more: a text this answers false for
   * still goes to that rule. Exposed here so that the recognizer's class stays package-private.
   * Not API.
   *
   * @param s the text
   * @return true when it is a timestamp of that spelling
   */
  public static boolean isLibraryTimestamp(String s) {
    return WireTimestamps.isIsoOffsetDateTime(s);
  }

  /**
   * {@link #isLibraryTimestamp(String)} on characters in a buffer (a parser's text buffer, so that a
   * streaming reader makes no {@code String} to check a timestamp).
   *
   * @param c the buffer
   * @param off where the text starts
   * @param len its length
   * @return true when it is a timestamp of that spelling
   */
  public static boolean isLibraryTimestamp(char[] c, int off, int len) {
    return WireTimestamps.isIsoOffsetDateTime(c, off, len);
  }

  /**
   * A message whose JSON the caller has already judged, for a receiver that checked it with rules
   * at least as strict as {@link #of}'s verdict for a complete message (the gateway: {@code beacon-wire}'s
   * {@code SegmentRequests} check plus the conditions listed below). With {@code complete} true the
   * caller vouches that the bytes are one JSON object that {@link MessageCodec#decode} accepts, with
   * no repeated names, nested at most 32 levels, holding a non-blank {@code messageId} of at most
   * {@value Message#MAX_MESSAGE_ID_LENGTH} characters, a {@code timestamp} that
   * {@link #isLibraryTimestamp} recognizes and a {@code context.library} object: then the bytes are
   * taken as they are, without a second scan and without a copy (the caller hands the array over
   * and must not change it). Bytes longer than the reader's own bound for passing a message on
   * unchanged are scanned anyway. With {@code complete} false this is {@link #of}: a message
   * lacking {@code timestamp} or {@code context.library} is completed, anything else judged.
   *
   * @param json UTF-8 JSON of one message, owned by the result when taken as it is
   * @param complete whether the caller judged the message valid and complete as described
   * @param messageId as for {@link #of}
   * @param timestampMillis as for {@link #of}
   * @return the raw message, or null to use the codec (only when not taken as it is)
   */
  public static RawMessage ofJudged(byte[] json, boolean complete, Supplier<String> messageId, long timestampMillis) {
    if (complete && json.length <= Message.MAX_MESSAGE_BYTES - WireReader.SIZE_MARGIN) {
      return new RawMessage(json);
    }
    return of(json, 0, json.length, messageId, timestampMillis);
  }
}
