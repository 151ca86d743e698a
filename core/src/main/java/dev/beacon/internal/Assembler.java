package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.beacon.Message;
import dev.beacon.spi.Batch;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Serializes messages one by one into a reused buffer and cuts them into {@link Batch}es.
 * Confined to the consumer thread. Not API.
 */
final class Assembler {
  private final ByteSink sink = new ByteSink(64 * 1024);
  private JsonGenerator gen = MessageSerializer.generator(sink);
  private final ArrayList<Message> messages = new ArrayList<>();
  private int[] starts = new int[256];
  private int[] ends = new int[256];
  /** Spool position of each raw record; unused for messages from the ring. */
  private long[] positions = new long[256];
  private boolean raw;
  private long reservedBytes;

  int count() {
    return messages.size();
  }

  boolean isEmpty() {
    return messages.isEmpty();
  }

  /** The exact request body size of the current content. */
  int requestBytes() {
    int n = messages.size();
    return n == 0 ? 0 : Batch.ENVELOPE_BYTES + sink.size() + (n - 1);
  }

  /** The request body size if only the first {@code n} messages were sent. */
  int requestBytes(int n) {
    return n == 0 ? 0 : Batch.ENVELOPE_BYTES + ends[n - 1] + (n - 1);
  }

  long reservedBytes() {
    return reservedBytes;
  }

  /**
   * Serializes one more message.
   *
   * @throws IOException if the message cannot be serialized; the assembler is left unchanged
   */
  void add(Message m) throws IOException {
    int n = messages.size();
    grow(n);
    int start = sink.size();
    try {
      MessageSerializer.write(gen, m);
      gen.flush();
    } catch (IOException | RuntimeException | Error e) {
      // The generator's state is unknown: start a fresh one and forget the partial bytes.
      sink.truncate(start);
      gen = MessageSerializer.generator(sink);
      throw e;
    }
    starts[n] = start;
    ends[n] = sink.size();
    messages.add(m);
    reservedBytes += m.serializedSizeBound();
  }

  private void grow(int n) {
    if (n == starts.length) {
      starts = Arrays.copyOf(starts, n * 2);
      ends = Arrays.copyOf(ends, n * 2);
      positions = Arrays.copyOf(positions, n * 2);
    }
  }

  /**
   * Adds one already serialized message read back from the spool; it is decoded only if needed.
   *
   * @param position the record's spool position
   */
  void addRaw(byte[] bytes, int offset, int length, long position) {
    int n = messages.size();
    grow(n);
    starts[n] = sink.size();
    sink.write(bytes, offset, length);
    ends[n] = sink.size();
    positions[n] = position;
    messages.add(null);
    raw = true;
  }

  /** The first {@code n} messages as a batch; the rest stay (only the last one may stay). */
  Cut cut(int n) {
    if (n < messages.size() - 1 || n <= 0) {
      throw new IllegalArgumentException("can cut all messages or all but the last, not " + n);
    }
    int bytesEnd = ends[n - 1];
    byte[] bytes = Arrays.copyOf(sink.array(), bytesEnd);
    int[] s = Arrays.copyOf(starts, n);
    int[] e = Arrays.copyOf(ends, n);
    List<Message> taken = raw ? new LazyMessages(bytes, s, e) : List.copyOf(messages.subList(0, n));
    Batch batch = Batch.ofSerialized(taken, bytes, s, e);
    long reserved = 0;
    if (!raw) {
      for (Message m : taken) {
        reserved += m.serializedSizeBound();
      }
    }
    long lastPosition = positions[n - 1];
    if (n == messages.size()) {
      messages.clear();
      sink.truncate(0);
    } else {
      Message last = messages.get(n);
      int from = starts[n];
      int len = ends[n] - from;
      sink.keepTail(from);
      messages.clear();
      messages.add(last);
      starts[0] = 0;
      ends[0] = len;
      positions[0] = positions[n];
    }
    reservedBytes -= reserved;
    return new Cut(batch, reserved, lastPosition);
  }

  /** Everything not yet cut, for reporting at shutdown (ring messages only). */
  List<Message> drainMessages() {
    List<Message> all = List.copyOf(messages);
    messages.clear();
    sink.truncate(0);
    reservedBytes = 0;
    return all;
  }

  /**
   * A batch, the queue bytes its messages reserved, and (for spooled records) the spool position
   * of its last record.
   */
  record Cut(Batch batch, long reservedBytes, long lastPosition) {}
}
