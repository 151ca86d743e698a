package dev.beacon.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Issue 26, item 10: the relay's byte bound counts what a record holds, its key included. */
class EntryTest {
  @Test
  void heldBytesCountTheRecordKeyAsWellAsItsValue() {
    Counters counters = new Counters();
    byte[] key = new byte[900_000];
    byte[] value = new byte[60];
    Entry e = new Entry(new TopicPartition("t", 0), 0, key, value, value, counters);
    counters.hold(e);
    assertThat(counters.bufferedBytes.get()).isEqualTo(900_060 + Counters.ENTRY_OVERHEAD_BYTES);
    e.settle();
    // Settled: its bytes are dropped; the entry itself counts until its partition's tracker lets it go.
    assertThat(counters.bufferedBytes.get()).isEqualTo(Counters.ENTRY_OVERHEAD_BYTES);
    counters.untrack(1);
    assertThat(counters.bufferedBytes.get()).isZero();
  }
}
