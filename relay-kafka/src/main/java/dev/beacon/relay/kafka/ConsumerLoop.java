package dev.beacon.relay.kafka;

import dev.beacon.Message;
import dev.beacon.MessageIds;
import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.WireReader;
import dev.beacon.spi.Batch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer thread: the only thread that touches the {@code KafkaConsumer}. It reads records,
 * validates them, cuts batches by Beacon's rules, tracks per partition which records are settled,
 * commits the settled prefix of each partition, pauses partitions while the relay holds more than
 * its byte bound, and hands revoked partitions back with their settled offsets committed.
 */
final class ConsumerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration POLL = Duration.ofMillis(100);
  /** Longest wait, in a rebalance, for an attempt in flight that holds records of revoked partitions. */
  static final Duration REVOKE_WAIT = Duration.ofSeconds(10);
  private static final long COMMIT_WARNING_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
  /** Longest wait for the brokers to say whether the dead-letter topic exists. */
  static final Duration TOPIC_CHECK_TIMEOUT = Duration.ofSeconds(10);
  private static final long TOPIC_CHECK_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
  /** How long the relay waits for an assignment before it says what it waits for. */
  static final Duration ASSIGNMENT_NOTICE_AFTER = Duration.ofSeconds(5);

  private final Consumer<byte[], byte[]> consumer;
  private final KafkaRelay.Settings settings;
  private final BlockingQueue<PendingBatch> queue;
  private final DeadLetters deadLetters;
  private final Delivery delivery;
  private final Counters counters;
  private final Map<TopicPartition, Tracker> trackers = new HashMap<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Runnable onStop;
  private final BiConsumer<String, Throwable> fatal;
  private volatile long drainDeadlineNanos;
  private volatile boolean draining;
  private volatile boolean aborted;
  private volatile boolean topicCheckWanted;
  private long lastTopicCheckNanos = System.nanoTime() - TOPIC_CHECK_EVERY_NANOS;
  private long pollErrorLoggedNanos = System.nanoTime() - COMMIT_WARNING_EVERY_NANOS;

  private List<Entry> open = new ArrayList<>();
  private int openBytes = Batch.ENVELOPE_BYTES;
  private long openSinceNanos;
  private long lastCommitNanos = System.nanoTime();
  private long lastCommitWarningNanos = System.nanoTime() - COMMIT_WARNING_EVERY_NANOS;
  private boolean paused;

  ConsumerLoop(Consumer<byte[], byte[]> consumer, KafkaRelay.Settings settings, BlockingQueue<PendingBatch> queue,
      DeadLetters deadLetters, Delivery delivery, Counters counters, Runnable onStop,
      BiConsumer<String, Throwable> fatal) {
    this.delivery = delivery;
    this.consumer = consumer;
    this.settings = settings;
    this.queue = queue;
    this.deadLetters = deadLetters;
    this.counters = counters;
    this.onStop = onStop;
    this.fatal = fatal;
  }

  /**
   * The relay failed: stop reading at once, commit only the settled prefix of each partition (so
   * nothing past a record that did not settle) and close. Safe from any thread.
   */
  void abort() {
    aborted = true;
  }

  /**
   * A dead-letter write timed out waiting for the topic's metadata: the consumer thread asks the
   * brokers whether the topic exists (at most every ten seconds). Safe from any thread.
   */
  void checkDeadLetterTopic() {
    topicCheckWanted = true;
  }

  /** Asks the loop to stop reading, deliver what it holds until the deadline, commit and close. */
  void drain(long deadlineNanos) {
    drainDeadlineNanos = deadlineNanos;
    draining = true;
  }

  /** Closes the consumer of a relay that was never started. */
  void closeUnstarted() {
    try {
      consumer.close(Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.warn("Beacon relay: error closing the consumer: {}", e.toString());
    }
  }

  boolean awaitStopped(Duration timeout) throws InterruptedException {
    return stopped.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  @Override
  public void run() {
    try {
      deadLetterTopicExists();
      if (!aborted) {
        consumer.subscribe(List.of(settings.topic), new Rebalance());
      }
      long waitingSince = System.nanoTime();
      boolean toldWaiting = false;
      while (!draining && !aborted) {
        ConsumerRecords<byte[], byte[]> records = poll();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          accept(r);
        }
        tick(false);
        if (topicCheckWanted) {
          deadLetterTopicExists();
        }
        if (counters.assignedPartitions > 0) {
          waitingSince = System.nanoTime();
          toldWaiting = false;
        } else if (!toldWaiting && System.nanoTime() - waitingSince >= ASSIGNMENT_NOTICE_AFTER.toNanos()) {
          toldWaiting = true;
          LOG.info("Beacon relay: waiting for the group {} to assign partitions of {}. After a relay stopped"
              + " without leaving the group (killed, or restarted in place), its partitions stay its own until its"
              + " session.timeout.ms ({} ms here) passes; see docs/kafka.md for a relay restarted in place.",
              settings.groupId, settings.topic, settings.sessionTimeoutMs);
        }
      }
      if (!aborted) {
        cut();
        pause(consumer.assignment());
        while (buffered() > 0 && System.nanoTime() < drainDeadlineNanos && !aborted) {
          poll();
          tick(false);
        }
      }
      advance();
      commit(true);
      long left = buffered();
      if (left > 0) {
        LOG.warn("Beacon relay stopped with {} record(s) not settled; their offsets are not committed, so the group"
            + " reads them again", left);
      }
    } catch (Throwable t) {
      // Kafka's non-retriable errors (authorization, an offset out of range with no reset policy...)
      // and bugs alike: the relay stops, loudly, instead of running on with a dead consumer.
      fatal.accept("the consumer thread stopped on " + t + "; offsets of records not settled are not committed",
          t);
    } finally {
      try {
        onStop.run();
      } finally {
        try {
          consumer.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
          LOG.warn("Beacon relay: error closing the consumer: {}", e.toString());
        }
        stopped.countDown();
      }
    }
  }

  /** Kafka's retriable errors are waited out (the next poll tries again); the others end the relay. */
  private ConsumerRecords<byte[], byte[]> poll() {
    try {
      return consumer.poll(POLL);
    } catch (RetriableException e) {
      long now = System.nanoTime();
      if (now - pollErrorLoggedNanos >= COMMIT_WARNING_EVERY_NANOS) {
        pollErrorLoggedNanos = now;
        LOG.warn("Beacon relay: polling {} failed with a retriable error; polling again: {}", settings.topic,
            e.toString());
      }
      return ConsumerRecords.empty();
    }
  }

  /**
   * Asks the brokers whether the dead-letter topic exists: a record that must go there could
   * never settle otherwise. Missing is fatal; no answer in time (brokers unreachable) is not.
   */
  private void deadLetterTopicExists() {
    long now = System.nanoTime();
    if (now - lastTopicCheckNanos < TOPIC_CHECK_EVERY_NANOS) {
      return;
    }
    lastTopicCheckNanos = now;
    topicCheckWanted = false;
    List<PartitionInfo> partitions;
    try {
      partitions = consumer.partitionsFor(settings.deadLetterTopic, TOPIC_CHECK_TIMEOUT);
    } catch (RetriableException e) {
      LOG.debug("Beacon relay: could not check the dead-letter topic {}: {}", settings.deadLetterTopic, e.toString());
      return;
    } catch (org.apache.kafka.common.KafkaException e) {
      // Not allowed to describe it (so not to write to it either), or an invalid name.
      fatal.accept("cannot use the dead-letter topic " + settings.deadLetterTopic + ": " + e, e);
      return;
    }
    if (partitions == null || partitions.isEmpty()) {
      fatal.accept("the dead-letter topic " + settings.deadLetterTopic + " does not exist: create it beside "
          + settings.topic + " (the relay never creates it)", new org.apache.kafka.common.errors
              .UnknownTopicOrPartitionException("topic " + settings.deadLetterTopic + " not found"));
    }
  }

  private long buffered() {
    long n = 0;
    for (Tracker t : trackers.values()) {
      n += t.size();
    }
    return n;
  }

  private void accept(ConsumerRecord<byte[], byte[]> r) {
    counters.consumed.incrementAndGet();
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Tracker tracker = trackers.computeIfAbsent(tp, k -> new Tracker(counters));
    byte[] value = r.value();
    Message message = null;
    byte[] payload = value;
    String invalid = null;
    if (value == null || value.length == 0) {
      invalid = "the record has no value";
    } else if (value.length > Message.MAX_MESSAGE_BYTES) {
      invalid = "the message is " + value.length + " bytes, over Segment's limit of " + Message.MAX_MESSAGE_BYTES;
    } else {
      // The streaming reader first: a valid, complete record (as Beacon's Kafka transport writes
      // it) goes on as its bytes, and a valid incomplete one keeps its bytes with the missing
      // fields inserted, neither decoded into maps or a Message. What it leaves
      // (null) goes through the codec below, which completes or refuses it as before.
      payload = WireReader.read(value, 0, value.length) == WireReader.Verdict.AS_IS ? value
          : WireReader.complete(value, 0, value.length, () -> stableId(r), r.timestamp());
    }
    if (invalid == null && payload == null) {
      payload = value;
      try {
        Map<String, Object> json = MessageCodec.parseObject(value, 0, value.length);
        boolean complete = json.get("messageId") != null && json.get("timestamp") != null && hasLibrary(json);
        if (json.get("messageId") == null) {
          // Stable across re-reads after a crash or rebalance, so that the API can drop the duplicate.
          json.put("messageId", stableId(r));
        }
        if (json.get("timestamp") == null && r.timestamp() >= 0) {
          json.put("timestamp", Instant.ofEpochMilli(r.timestamp()).toString());
        }
        message = MessageCodec.fromMap(json);
        if (!complete) {
          // Not as an SDK sends it (no messageId, timestamp or context.library): send it as Beacon would.
          payload = MessageCodec.encode(message);
          if (payload.length > Message.MAX_MESSAGE_BYTES) {
            invalid = "the message is " + payload.length + " bytes once completed, over Segment's limit of "
                + Message.MAX_MESSAGE_BYTES;
          }
        }
      } catch (IllegalArgumentException e) {
        invalid = e.getMessage();
      } catch (RuntimeException e) {
        // Whatever a record makes validation throw, it is that record's fault: dead-letter it with
        // the reason rather than let it stop the consumer thread (issue 26).
        invalid = "the record could not be validated: " + e;
      }
    }
    // The decoded message is not kept: held memory stays close to the records' bytes.
    Entry e = new Entry(tp, r.offset(), r.key(), value, payload, counters);
    counters.hold(e);
    tracker.add(e);
    if (invalid != null) {
      deadLetters.write(e, DeadLetterReason.INVALID, 0, invalid);
      return;
    }
    int added = e.payload.length + (open.isEmpty() ? 0 : 1);
    if (!open.isEmpty() && (open.size() >= settings.maxBatchMessages || openBytes + added > settings.maxBatchBytes)) {
      cut();
      added = e.payload.length;
    }
    if (open.isEmpty()) {
      openSinceNanos = System.nanoTime();
    }
    open.add(e);
    openBytes += added;
    if (open.size() >= settings.maxBatchMessages) {
      cut();
    }
  }

  /** A record's messageId when it has none: stable across re-reads after a crash or rebalance. */
  private static String stableId(ConsumerRecord<byte[], byte[]> r) {
    return MessageIds.stable("kafka", r.topic(), Integer.toString(r.partition()), Long.toString(r.offset()));
  }

  private static boolean hasLibrary(Map<String, Object> json) {
    Object context = json.get("context");
    return context instanceof Map && ((Map<?, ?>) context).get("library") instanceof Map;
  }

  private void cut() {
    if (!open.isEmpty()) {
      queue.add(new PendingBatch(open));
      open = new ArrayList<>();
      openBytes = Batch.ENVELOPE_BYTES;
    }
  }

  private void tick(boolean forceCommit) {
    long now = System.nanoTime();
    if (!open.isEmpty() && now - openSinceNanos >= settings.linger.toNanos()) {
      cut();
    }
    advance();
    if (forceCommit || now - lastCommitNanos >= settings.commitInterval.toNanos()) {
      commit(false);
      lastCommitNanos = now;
      updateLag();
    }
    backpressure();
  }

  private void advance() {
    for (Tracker t : trackers.values()) {
      t.advance();
    }
  }

  private void commit(boolean sync) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (Map.Entry<TopicPartition, Tracker> e : trackers.entrySet()) {
      Tracker t = e.getValue();
      if (t.committable > t.committed) {
        offsets.put(e.getKey(), new OffsetAndMetadata(t.committable));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    if (sync) {
      try {
        consumer.commitSync(offsets, Duration.ofSeconds(10));
        markCommitted(offsets);
      } catch (RuntimeException ex) {
        LOG.warn("Beacon relay: could not commit offsets {}: {}", offsets, ex.toString());
      }
    } else {
      consumer.commitAsync(offsets, (done, ex) -> {
        if (ex == null) {
          markCommitted(done);
        } else {
          warnCommitFailed(ex);
        }
      });
    }
  }

  /** During a broker outage every commit fails: say so once per half minute, not every interval. */
  private void warnCommitFailed(Exception ex) {
    long now = System.nanoTime();
    if (now - lastCommitWarningNanos >= COMMIT_WARNING_EVERY_NANOS) {
      lastCommitWarningNanos = now;
      LOG.warn("Beacon relay: could not commit offsets (retried at each commit interval; the records stay"
          + " settled): {}", ex.toString());
    }
  }

  /** Runs on the consumer thread (commitAsync callbacks run inside poll or commitSync). */
  private void markCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      Tracker t = trackers.get(e.getKey());
      if (t != null && e.getValue().offset() > t.committed) {
        t.committed = e.getValue().offset();
      }
    }
    counters.commits.incrementAndGet();
  }

  private void backpressure() {
    long bytes = counters.bufferedBytes.get();
    if (!paused && bytes > settings.maxBufferedBytes) {
      pause(consumer.assignment());
    } else if (paused && bytes <= settings.maxBufferedBytes / 2) {
      consumer.resume(consumer.paused());
      paused = false;
      counters.pausedPartitions = 0;
    }
  }

  private void pause(Collection<TopicPartition> partitions) {
    consumer.pause(partitions);
    paused = true;
    counters.pausedPartitions = consumer.paused().size();
  }

  private void updateLag() {
    long lag = 0;
    boolean known = false;
    for (TopicPartition tp : consumer.assignment()) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isPresent()) {
        lag += l.getAsLong();
        known = true;
      }
    }
    counters.lag = known ? lag : -1;
  }

  /** Records of one partition in offset order, and the offset up to which all are settled. */
  private static final class Tracker {
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final Counters counters;
    long committable = -1;
    long committed = -1;

    Tracker(Counters counters) {
      this.counters = counters;
    }

    void add(Entry e) {
      entries.addLast(e);
    }

    void advance() {
      Entry head;
      int gone = 0;
      while ((head = entries.peekFirst()) != null && head.settled()) {
        entries.pollFirst();
        committable = head.offset + 1;
        gone++;
      }
      counters.untrack(gone);
    }

    int size() {
      return entries.size();
    }

    /** The oldest record not yet settled, or null. */
    Entry first() {
      return entries.peekFirst();
    }

    /** Cancels the records not settled; settled ones stay, so the settled prefix can still be committed. */
    void cancelPending() {
      for (Entry e : entries) {
        e.cancel();
      }
    }

    void cancelAll() {
      for (Entry e : entries) {
        e.cancel();
      }
      counters.untrack(entries.size());
      entries.clear();
    }
  }

  /**
   * Hands partitions back with their settled offsets committed; unsettled records go back to the
   * group. A partition revoked and assigned back to this relay in the same rebalance (the eager
   * protocol revokes everything) keeps the consumer's position, which is past the records this
   * relay just dropped: it is rewound to the first of them, so none is skipped.
   */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final Map<TopicPartition, Long> rewind = new HashMap<>();

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      List<Entry> kept = new ArrayList<>(open.size());
      for (Entry e : open) {
        if (!partitions.contains(e.partition)) {
          kept.add(e);
        }
      }
      if (kept.size() != open.size()) {
        open = kept;
        openBytes = Batch.ENVELOPE_BYTES;
        for (Entry e : kept) {
          openBytes += e.payload.length + 1;
        }
      }
      // No new attempt takes these records from now on; the one in flight, if it holds some, is
      // waited for (bounded), so that the next owner does not deliver later records before it lands.
      try {
        if (!delivery.revoke(partitions, () -> cancelPending(partitions), REVOKE_WAIT)) {
          LOG.warn("Beacon relay: an attempt holding records of revoked partitions {} is still in flight after {};"
              + " handing them over anyway (its records may arrive twice, and after later ones)", partitions,
              REVOKE_WAIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (TopicPartition tp : partitions) {
        Tracker t = trackers.get(tp);
        if (t != null) {
          t.advance();
          if (t.committable > t.committed) {
            offsets.put(tp, new OffsetAndMetadata(t.committable));
          }
        }
      }
      if (!offsets.isEmpty()) {
        try {
          consumer.commitSync(offsets, Duration.ofSeconds(10));
          counters.commits.incrementAndGet();
        } catch (RuntimeException ex) {
          LOG.warn("Beacon relay: could not commit offsets of revoked partitions {}: {}", offsets, ex.toString());
        }
      }
      rememberRewind(partitions);
      forget(partitions);
      LOG.info("Beacon relay: partitions revoked {}", partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      rememberRewind(partitions);
      forget(partitions);
      LOG.warn("Beacon relay: partitions lost {}; their records not yet settled will be read again by the group",
          partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        trackers.computeIfAbsent(tp, k -> new Tracker(counters));
        Long from = rewind.get(tp);
        if (from != null) {
          consumer.seek(tp, from);
        }
      }
      // Partitions not given back belong to another relay now, which starts from the commit.
      rewind.clear();
      if (paused) {
        consumer.pause(partitions);
        counters.pausedPartitions = consumer.paused().size();
      }
      counters.assignedPartitions = consumer.assignment().size();
      LOG.info("Beacon relay: partitions assigned {}", partitions);
    }

    /** Where each partition's unsettled records start, before they are dropped. */
    private void rememberRewind(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        Tracker t = trackers.get(tp);
        if (t != null) {
          t.advance();
          Entry first = t.first();
          if (first != null) {
            rewind.put(tp, first.offset);
          }
        }
      }
    }

    private void cancelPending(Collection<TopicPartition> partitions) {
      for (TopicPartition tp : partitions) {
        Tracker t = trackers.get(tp);
        if (t != null) {
          t.cancelPending();
        }
      }
    }

    private void forget(Collection<TopicPartition> partitions) {
      List<Tracker> gone = new ArrayList<>(partitions.size());
      for (TopicPartition tp : partitions) {
        Tracker t = trackers.remove(tp);
        if (t != null) {
          gone.add(t);
        }
      }
      // Lost partitions are not cancelled before: here too, an attempt takes all of them or none.
      delivery.cancel(() -> gone.forEach(Tracker::cancelAll));
      counters.assignedPartitions = Math.max(0, consumer.assignment().size() - partitions.size());
      int pausedLeft = 0;
      for (TopicPartition tp : consumer.paused()) {
        if (!partitions.contains(tp)) {
          pausedLeft++;
        }
      }
      counters.pausedPartitions = pausedLeft;
    }
  }
}
