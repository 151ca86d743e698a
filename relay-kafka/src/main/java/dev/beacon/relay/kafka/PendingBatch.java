package dev.beacon.relay.kafka;

import dev.beacon.Message;
import dev.beacon.internal.MessageCodec;
import dev.beacon.spi.Batch;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;

/** Records cut into one batch by the consumer thread, with the retry state of its delivery. */
final class PendingBatch {
  final List<Entry> entries;
  int attempts;
  /** The retry policy applied to this batch, from its first attempt; set by the delivery thread. */
  dev.beacon.RetryPolicy.Schedule schedule;

  PendingBatch(List<Entry> entries) {
    this.entries = entries;
  }

  /** The entries still to deliver: not settled, not cancelled by a rebalance. */
  List<Entry> live() {
    List<Entry> live = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      if (e.pending()) {
        live.add(e);
      }
    }
    return live;
  }

  /** The records' own bytes, unchanged, wrapped for the transport. */
  static Batch toBatch(List<Entry> live, int retryCount) {
    int total = 0;
    for (Entry e : live) {
      total += e.payload.length;
    }
    byte[] buf = new byte[total];
    int[] starts = new int[live.size()];
    int[] ends = new int[live.size()];
    int pos = 0;
    for (int i = 0; i < live.size(); i++) {
      Entry e = live.get(i);
      starts[i] = pos;
      System.arraycopy(e.payload, 0, buf, pos, e.payload.length);
      pos += e.payload.length;
      ends[i] = pos;
    }
    return Batch.ofSerialized(new LazyMessages(buf, starts, ends), buf, starts, ends).withRetryCount(retryCount);
  }

  /**
   * The batch's messages, decoded from their bytes only if someone asks (a transport's debug
   * output): the HTTP transport sends the bytes, so the relay keeps no decoded copies.
   */
  private static final class LazyMessages extends AbstractList<Message> implements RandomAccess {
    private final byte[] buf;
    private final int[] starts;
    private final int[] ends;

    LazyMessages(byte[] buf, int[] starts, int[] ends) {
      this.buf = buf;
      this.starts = starts;
      this.ends = ends;
    }

    @Override
    public Message get(int index) {
      return MessageCodec.decode(buf, starts[index], ends[index] - starts[index]);
    }

    @Override
    public int size() {
      return starts.length;
    }
  }
}
