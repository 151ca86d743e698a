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
  /**
   * Each entry: a {@link Message} or a {@link RawMessage} from the ring, or null for a record read
   * back from the spool.
   */
  private final ArrayList<Object> messages = new ArrayList<>();
  private int[] starts = new int[256];
  private int[] ends = new int[256];
  /** Spool position of each raw record; unused for messages from the ring. */
  private long[] positions = new long[256];
  /** The queue bytes each entry from the ring reserved ({@code maxQueueBytes}); 0 for spool records. */
  private long[] bounds = new long[256];
  /** How many entries are not {@code Message}s (raw ones from the ring, spool records). */
  private int notDecoded;
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
    bounds[n] = m.serializedSizeBound();
    reservedBytes += bounds[n];
  }

  /** Adds one message from the ring that is already its JSON: its bytes are copied as they are. */
  void add(RawMessage m) {
    int n = messages.size();
    grow(n);
    starts[n] = sink.size();
    byte[] json = m.json();
    sink.write(json, 0, json.length);
    ends[n] = sink.size();
    messages.add(m);
    bounds[n] = json.length;
    reservedBytes += json.length;
    notDecoded++;
  }

  private void grow(int n) {
    if (n == starts.length) {
      starts = Arrays.copyOf(starts, n * 2);
      ends = Arrays.copyOf(ends, n * 2);
      positions = Arrays.copyOf(positions, n * 2);
      bounds = Arrays.copyOf(bounds, n * 2);
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
    bounds[n] = 0; // on disk: it reserved no queue bytes
    messages.add(null);
    notDecoded++;
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
    long reserved = 0;
    for (int i = 0; i < n; i++) {
      reserved += bounds[i];
    }
    List<Message> taken;
    if (notDecoded == 0) {
      taken = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        taken.add((Message) messages.get(i));
      }
      taken = java.util.Collections.unmodifiableList(taken);
    } else {
      // Decoded from the bytes only if someone asks; the Messages the ring brought are kept as they are.
      Message[] known = new Message[n];
      for (int i = 0; i < n; i++) {
        if (messages.get(i) instanceof Message) {
          known[i] = (Message) messages.get(i);
        }
      }
      taken = new LazyMessages(bytes, s, e, known);
    }
    Batch batch = Batch.ofSerialized(taken, bytes, s, e);
    long lastPosition = positions[n - 1];
    if (n == messages.size()) {
      messages.clear();
      sink.truncate(0);
      notDecoded = 0;
    } else {
      Object last = messages.get(n);
      int from = starts[n];
      int len = ends[n] - from;
      sink.keepTail(from);
      messages.clear();
      messages.add(last);
      starts[0] = 0;
      ends[0] = len;
      positions[0] = positions[n];
      bounds[0] = bounds[n];
      notDecoded = last instanceof Message ? 0 : 1;
    }
    reservedBytes -= reserved;
    return new Cut(batch, reserved, lastPosition);
  }

  /**
   * Everything not yet cut, for reporting at shutdown (ring entries only: {@link Message}s and
   * {@link RawMessage}s, whose queue bytes the caller releases with {@link RawMessage#bound}).
   */
  List<Object> drainEntries() {
    List<Object> all = new ArrayList<>(messages);
    messages.clear();
    sink.truncate(0);
    reservedBytes = 0;
    notDecoded = 0;
    return all;
  }

  /**
   * A batch, the queue bytes its messages reserved, and (for spooled records) the spool position
   * of its last record.
   */
  record Cut(Batch batch, long reservedBytes, long lastPosition) {}
}
