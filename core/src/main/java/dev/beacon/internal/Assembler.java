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
    if (n == starts.length) {
      starts = Arrays.copyOf(starts, n * 2);
      ends = Arrays.copyOf(ends, n * 2);
    }
    int start = sink.size();
    try {
      MessageSerializer.write(gen, m);
      gen.flush();
    } catch (IOException | RuntimeException e) {
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

  /** The first {@code n} messages as a batch; the rest stay (only the last one may stay). */
  Cut cut(int n) {
    if (n < messages.size() - 1 || n <= 0) {
      throw new IllegalArgumentException("can cut all messages or all but the last, not " + n);
    }
    List<Message> taken = List.copyOf(messages.subList(0, n));
    int bytesEnd = ends[n - 1];
    Batch batch = Batch.ofSerialized(taken, Arrays.copyOf(sink.array(), bytesEnd),
        Arrays.copyOf(starts, n), Arrays.copyOf(ends, n));
    long reserved = 0;
    for (Message m : taken) {
      reserved += m.serializedSizeBound();
    }
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
    }
    reservedBytes -= reserved;
    return new Cut(batch, reserved);
  }

  /** Everything not yet cut, for reporting at shutdown. */
  List<Message> drainMessages() {
    List<Message> all = List.copyOf(messages);
    messages.clear();
    sink.truncate(0);
    reservedBytes = 0;
    return all;
  }

  /** A batch and the queue bytes its messages reserved. */
  record Cut(Batch batch, long reservedBytes) {}
}
