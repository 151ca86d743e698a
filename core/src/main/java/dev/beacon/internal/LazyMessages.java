package dev.beacon.internal;

import dev.beacon.Message;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The messages of a batch read back from the spool or entered as JSON ({@link RawMessage}),
 * decoded from their JSON only if someone asks
 * (the error callback, a test capture): sending needs only the bytes. Not API.
 */
final class LazyMessages extends AbstractList<Message> implements RandomAccess {
  private final byte[] buf;
  private final int[] starts;
  private final int[] ends;
  private final Message[] decoded;

  LazyMessages(byte[] buf, int[] starts, int[] ends) {
    this(buf, starts, ends, new Message[starts.length]);
  }

  /**
   * @param known the messages already at hand (from the ring), null where only the bytes are
   *     (raw messages, spool records); owned by this list from now on
   */
  LazyMessages(byte[] buf, int[] starts, int[] ends, Message[] known) {
    this.buf = buf;
    this.starts = starts;
    this.ends = ends;
    this.decoded = known;
  }

  @Override
  public synchronized Message get(int index) {
    Message m = decoded[index];
    if (m == null) {
      m = MessageCodec.decode(buf, starts[index], ends[index] - starts[index]);
      decoded[index] = m;
    }
    return m;
  }

  @Override
  public int size() {
    return starts.length;
  }
}
