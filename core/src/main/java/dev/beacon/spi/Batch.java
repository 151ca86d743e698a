package dev.beacon.spi;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Message;
import dev.beacon.internal.ByteSink;
import dev.beacon.internal.MessageSerializer;
import dev.beacon.internal.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable batch of serialized messages, ready for a {@link Transport}. The messages are
 * serialized once; {@link #writeTo(OutputStream, Instant)} wraps them in Segment's envelope
 * {@code {"batch":[...],"sentAt":"..."}} with a fresh {@code sentAt} for each attempt.
 */
public final class Batch {
  /** Bytes of the envelope around the messages: {@code {"batch":[} ... {@code ],"sentAt":"<24>"}}. */
  public static final int ENVELOPE_BYTES = 48;

  private static final byte[] HEAD = "{\"batch\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SENT_AT = "],\"sentAt\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TAIL = "\"}".getBytes(StandardCharsets.US_ASCII);

  private final List<Message> messages;
  private final byte[] buf;
  private final int[] starts;
  private final int[] ends;
  private final int from;
  private final int to;
  private final int retryCount;

  private Batch(List<Message> messages, byte[] buf, int[] starts, int[] ends, int from, int to,
      int retryCount) {
    this.messages = messages;
    this.buf = buf;
    this.starts = starts;
    this.ends = ends;
    this.from = from;
    this.to = to;
    this.retryCount = retryCount;
  }

  /**
   * Serializes messages into a batch. Useful for transport tests; the engine builds its batches
   * incrementally with the same serializer.
   *
   * @param messages at least one message
   * @return the batch
   * @throws IllegalArgumentException when the list is empty
   */
  public static Batch of(List<? extends Message> messages) {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a batch needs at least one message");
    }
    ByteSink sink = new ByteSink(512 * messages.size());
    int n = messages.size();
    int[] starts = new int[n];
    int[] ends = new int[n];
    try (JsonGenerator g = MessageSerializer.generator(sink)) {
      for (int i = 0; i < n; i++) {
        starts[i] = sink.size();
        MessageSerializer.write(g, messages.get(i));
        g.flush();
        ends[i] = sink.size();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Batch(List.copyOf(messages), sink.toByteArray(), starts, ends, 0, n, 0);
  }

  /**
   * Wraps messages that were already serialized into one buffer. Used by the engine.
   *
   * @param messages the messages, in order
   * @param buf the buffer holding every message's JSON
   * @param starts offset of message {@code i} in {@code buf}
   * @param ends end offset (exclusive) of message {@code i}
   * @return the batch, owning the arrays (callers must not change them afterwards)
   */
  public static Batch ofSerialized(List<Message> messages, byte[] buf, int[] starts, int[] ends) {
    if (messages.isEmpty() || messages.size() != starts.length || starts.length != ends.length) {
      throw new IllegalArgumentException("messages and offsets must be non-empty and of equal length");
    }
    return new Batch(messages, buf, starts, ends, 0, messages.size(), 0);
  }

  /**
   * Returns the number of messages.
   *
   * @return at least 1
   */
  public int size() {
    return to - from;
  }

  /**
   * Returns the messages, in the order they were accepted.
   *
   * @return an unmodifiable list
   */
  public List<Message> messages() {
    return messages.subList(from, to);
  }

  /**
   * Returns the message ids, in order.
   *
   * @return a new list
   */
  public List<String> messageIds() {
    List<String> ids = new ArrayList<>(size());
    for (Message m : messages()) {
      ids.add(m.messageId());
    }
    return ids;
  }

  /**
   * Returns how many attempts to send this batch were made before this one (the value of the
   * {@code X-Retry-Count} header; 0 on the first attempt).
   *
   * @return the retry count
   */
  public int retryCount() {
    return retryCount;
  }

  /**
   * Returns this batch for a later attempt.
   *
   * @param retryCount attempts made before the next one
   * @return a batch sharing this one's bytes
   */
  public Batch withRetryCount(int retryCount) {
    return new Batch(messages, buf, starts, ends, from, to, retryCount);
  }

  /**
   * Returns the exact size of the uncompressed request body written by {@link #writeTo}.
   *
   * @return bytes including the envelope
   */
  public int sizeInBytes() {
    return ENVELOPE_BYTES + ends[to - 1] - starts[from] - separatorsInBuffer() + (to - from - 1);
  }

  /** Bytes in buf between messages that are not message bytes (the engine writes commas there). */
  private int separatorsInBuffer() {
    int gaps = 0;
    for (int i = from + 1; i < to; i++) {
      gaps += starts[i] - ends[i - 1];
    }
    return gaps;
  }

  /**
   * Returns one message's JSON.
   *
   * @param index 0-based index in this batch
   * @return a copy of the bytes
   */
  public byte[] messageJson(int index) {
    int i = from + index;
    if (index < 0 || i >= to) {
      throw new IndexOutOfBoundsException(index);
    }
    byte[] out = new byte[ends[i] - starts[i]];
    System.arraycopy(buf, starts[i], out, 0, out.length);
    return out;
  }

  /**
   * Splits the batch into two halves (for a 413 answer).
   *
   * @return two batches, or this one alone when it holds a single message
   */
  public List<Batch> split() {
    if (size() < 2) {
      return List.of(this);
    }
    int mid = from + size() / 2;
    return List.of(new Batch(messages, buf, starts, ends, from, mid, retryCount),
        new Batch(messages, buf, starts, ends, mid, to, retryCount));
  }

  /**
   * Writes the request body {@code {"batch":[...],"sentAt":"..."}}.
   *
   * @param out the stream (not closed)
   * @param sentAt the send time, normally now
   * @throws IOException from the stream
   */
  public void writeTo(OutputStream out, Instant sentAt) throws IOException {
    out.write(HEAD);
    for (int i = from; i < to; i++) {
      if (i > from) {
        out.write(',');
      }
      out.write(buf, starts[i], ends[i] - starts[i]);
    }
    out.write(SENT_AT);
    out.write(Timestamps.format(sentAt).getBytes(StandardCharsets.US_ASCII));
    out.write(TAIL);
  }

  /**
   * Returns the request body as bytes.
   *
   * @param sentAt the send time, normally now
   * @return the JSON envelope
   */
  public byte[] toJson(Instant sentAt) {
    ByteSink sink = new ByteSink(sizeInBytes() + 8);
    try {
      writeTo(sink, sentAt);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sink.toByteArray();
  }

  @Override
  public String toString() {
    return "Batch{messages=" + size() + ", bytes=" + sizeInBytes() + ", retryCount=" + retryCount + "}";
  }
}
