package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FailureReason;
import dev.beacon.Message;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.Track;
import dev.beacon.internal.RawEntry;
import dev.beacon.internal.RawMessage;
import dev.beacon.spi.Batch;
import dev.beacon.spi.Plugin;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine's entry for messages that are already their JSON ({@link RawEntry}): the bytes go out
 * as they came in (no second serialization, nothing rewritten), with the accounting, bounds,
 * spool, callbacks and shutdown reporting of an ordinary {@code enqueue}.
 */
class RawEntryTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A message as analytics.js sends it, with fields Beacon's own serializer would drop or rewrite. */
  static String sdkMessage(String id) {
    return "{\"type\":\"track\",\"event\":\"Clicked\",\"userId\":\"u1\",\"messageId\":\"" + id + "\","
        + "\"timestamp\":\"2026-12-07T20:00:00.123Z\",\"sentAt\":\"2026-12-07T20:00:01.000Z\","
        + "\"originalTimestamp\":\"2026-12-07T20:00:00.123Z\",\"receivedAt\":\"2026-12-07T20:00:01.500Z\","
        + "\"properties\":{\"price\":1.50,\"nested\":{\"list\":[1,\"two\",null,true]}},"
        + "\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"next-1.70.0\"},\"ip\":\"203.0.113.9\"},"
        + "\"integrations\":{\"All\":false,\"Mixpanel\":true}}";
  }

  static String bigMessage(String id) {
    return "{\"type\":\"track\",\"event\":\"Big\",\"userId\":\"u1\",\"messageId\":\"" + id + "\","
        + "\"timestamp\":\"2026-12-07T20:00:00.123Z\",\"properties\":{\"pad\":\"" + "x".repeat(13_000) + "\"},"
        + "\"context\":{\"library\":{\"name\":\"analytics-java\",\"version\":\"3.5.4\"}}}";
  }

  static RawMessage raw(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    RawMessage m = RawMessage.of(b, 0, b.length, () -> "generated-id", System.currentTimeMillis());
    assertThat(m).as("a valid message is taken raw: %s", json).isNotNull();
    return m;
  }

  /** Keeps every batch's message bytes and acknowledges it. */
  static final class BytesTransport implements Transport {
    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    final List<List<Message>> batches = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<SendResult> send(Batch batch) {
      for (int i = 0; i < batch.size(); i++) {
        sent.add(batch.messageJson(i));
      }
      batches.add(batch.messages());
      return CompletableFuture.completedFuture(SendResult.delivered(200));
    }

    @Override
    public void close() {}
  }

  @Test
  void aRawMessageGoesOutAsTheBytesItCameInWith() throws Exception {
    BytesTransport t = new BytesTransport();
    try (Analytics a = Clients.builder(t).build()) {
      assertThat(RawEntry.offer(a, raw(sdkMessage("m-1")))).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertConserved(a);
    }
    assertThat(t.sent).hasSize(1);
    assertThat(new String(t.sent.get(0), StandardCharsets.UTF_8)).isEqualTo(sdkMessage("m-1"));
  }

  @Test
  void aMessageWithoutMessageIdOrTimestampIsCompletedOnceAsTheCodecWouldComplete() throws Exception {
    BytesTransport t = new BytesTransport();
    String incomplete = "{\"type\":\"identify\",\"userId\":\"u2\",\"traits\":{\"plan\":\"pro\"}}";
    try (Analytics a = Clients.builder(t).build()) {
      assertThat(RawEntry.offer(a, raw(incomplete))).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
    }
    JsonNode out = JSON.readTree(t.sent.get(0));
    assertThat(out.path("messageId").asText()).isEqualTo("generated-id");
    assertThat(out.path("timestamp").asText()).isNotEmpty();
    assertThat(out.path("context").path("library").path("name").asText()).isEqualTo("beacon-java");
    assertThat(out.path("traits").path("plan").asText()).isEqualTo("pro");
  }

  @Test
  void aMessageTheCodecRefusesIsNotTakenRaw() {
    byte[] noUser = "{\"type\":\"track\",\"event\":\"E\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(RawMessage.of(noUser, 0, noUser.length, () -> "id", 0)).isNull();
  }

  @Test
  void withAPluginEveryRawMessageIsDecodedSoThePluginSeesIt() throws Exception {
    BytesTransport t = new BytesTransport();
    List<String> seen = new CopyOnWriteArrayList<>();
    Plugin plugin = new Plugin() {
      @Override
      public Message apply(Message m) {
        seen.add(m.messageId());
        return m;
      }
    };
    try (Analytics a = Clients.builder(t).plugin(plugin).build()) {
      assertThat(RawEntry.offer(a, raw(sdkMessage("p-1")))).isTrue();
      assertThat(RawEntry.offer(a, raw(sdkMessage("p-2")))).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
    }
    assertThat(seen).containsExactly("p-1", "p-2");
    // Through the decode path: written by Beacon's serializer, as every enqueued Message is.
    assertThat(JSON.readTree(t.sent.get(0)).path("context").path("library").path("name").asText())
        .isEqualTo("beacon-java");
  }

  @Test
  void inSyncModeARawMessageIsDecodedAndDeliveredBeforeTheCallReturns() {
    BytesTransport t = new BytesTransport();
    try (Analytics a = Clients.builder(t).syncMode(true).flushTimeout(WAIT).build()) {
      assertThat(RawEntry.offer(a, raw(sdkMessage("sync-1")))).isTrue();
      assertThat(t.sent).hasSize(1); // delivered when the call returned
      assertThat(a.stats().delivered()).isEqualTo(1);
      assertConserved(a);
    }
    assertThat(t.batches.get(0)).singleElement().extracting(Message::messageId).isEqualTo("sync-1");
  }

  @Test
  void theErrorCallbackAndOnDeliveredGetRawMessagesDecoded() throws Exception {
    List<Message> failed = new CopyOnWriteArrayList<>();
    List<Message> delivered = new CopyOnWriteArrayList<>();
    Transport refusing = new Transport() {
      @Override
      public CompletableFuture<SendResult> send(Batch batch) {
        boolean bad = batch.messageIds().contains("bad");
        return CompletableFuture.completedFuture(bad ? SendResult.permanent(400, "invalid", null) : SendResult.delivered(200));
      }

      @Override
      public void close() {}
    };
    try (Analytics a = Clients.builder(refusing).flushAt(1)
        .onError((e, messages) -> failed.addAll(messages))
        .onDelivered(delivered::addAll).build()) {
      assertThat(RawEntry.offer(a, raw(sdkMessage("bad")))).isTrue();
      assertThat(a.flush(WAIT).complete()).isTrue();
      assertThat(RawEntry.offer(a, raw(sdkMessage("good")))).isTrue();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      Stats s = assertConserved(a);
      assertThat(s.failed(FailureReason.REJECTED)).isEqualTo(1);
      assertThat(s.delivered()).isEqualTo(1);
    }
    assertThat(failed).singleElement().satisfies(m -> {
      assertThat(m).isInstanceOf(Track.class);
      assertThat(m.messageId()).isEqualTo("bad");
      assertThat(((Track) m).event()).isEqualTo("Clicked");
      assertThat(((Track) m).properties()).containsKey("nested");
    });
    assertThat(delivered).singleElement().extracting(Message::messageId).isEqualTo("good");
  }

  @Test
  void aRawMessageCountsItsBytesAgainstMaxQueueBytesAndIsRefusedWhenTheyAreTaken() throws Exception {
    GatedTransport gate = new GatedTransport(new dev.beacon.testkit.CapturingTransport());
    // 13 KB each: the smallest maxQueueBytes (32 KB) holds two, not three.
    RawMessage m = raw(bigMessage("q-1"));
    assertThat(m.size()).isBetween(11_000, 16_000);
    try (Analytics a = Clients.builder(gate).flushAt(1).maxQueueBytes(32 * 1024).build()) {
      assertThat(RawEntry.offer(a, m)).isTrue();
      assertThat(RawEntry.offer(a, raw(bigMessage("q-2")))).isTrue();
      // Two held in memory (sent, unanswered): no room for a third of the same size.
      assertThat(RawEntry.offer(a, raw(bigMessage("q-3")))).isFalse();
      Stats s = a.stats();
      assertThat(s.dropped(DropReason.QUEUE_BYTES_FULL)).isEqualTo(1);
      assertThat(s.queuedBytes()).isEqualTo(2L * m.size());
      gate.open();
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(a.stats().queuedBytes()).isZero();
      assertConserved(a);
    }
    assertThat(gate.capture.messages()).extracting(c -> c.messageId()).containsExactly("q-1", "q-2");
  }

  @ParameterizedTest
  @EnumSource(SpoolDurability.class)
  void rawMessagesAreJournaledAsTheirBytesAndSentFromTheSpool(SpoolDurability durability) throws Exception {
    MemorySpool.Disk disk = new MemorySpool.Disk();
    BytesTransport t = new BytesTransport();
    try (Analytics a = Clients.builder(t).spool(new MemorySpool(disk, 1 << 20)).spoolDurability(durability).build()) {
      for (int i = 0; i < 20; i++) {
        assertThat(RawEntry.offer(a, raw(sdkMessage("s-" + i)))).isTrue();
      }
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertConserved(a);
    }
    List<String> journaled = new ArrayList<>();
    synchronized (disk) {
      disk.records.forEach(r -> journaled.add(new String(r, StandardCharsets.UTF_8)));
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      expected.add(sdkMessage("s-" + i));
    }
    assertThat(journaled).isEqualTo(expected);
    assertThat(t.sent.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList()).isEqualTo(expected);
  }

  @Test
  void rawMessagesSpooledByAClientThatStoppedAreSentByTheNextOne() throws Exception {
    MemorySpool.Disk disk = new MemorySpool.Disk();
    GatedTransport never = new GatedTransport(new dev.beacon.testkit.CapturingTransport());
    Analytics first = Clients.builder(never).spool(new MemorySpool(disk, 1 << 20))
        .spoolDurability(SpoolDurability.PROCESS_CRASH).build();
    for (int i = 0; i < 5; i++) {
      assertThat(RawEntry.offer(first, raw(sdkMessage("r-" + i)))).isTrue();
    }
    first.close(Duration.ZERO);
    BytesTransport t = new BytesTransport();
    try (Analytics second = Clients.builder(t).spool(new MemorySpool(disk, 1 << 20)).build()) {
      assertThat(second.flush(WAIT).isSuccess()).isTrue();
    }
    assertThat(t.sent.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList())
        .containsExactly(sdkMessage("r-0"), sdkMessage("r-1"), sdkMessage("r-2"), sdkMessage("r-3"), sdkMessage("r-4"));
  }

  @Test
  void rawMessagesStillQueuedAtCloseAreReportedDecodedAsShutdown() throws Exception {
    Map<String, FailureReason> reported = new ConcurrentHashMap<>();
    CountDownLatch reportedAll = new CountDownLatch(3);
    GatedTransport never = new GatedTransport(new dev.beacon.testkit.CapturingTransport());
    Analytics a = Clients.builder(never).flushAt(100).flushInterval(Duration.ofHours(1))
        .onError((e, messages) -> messages.forEach(m -> {
          reported.put(m.messageId(), e.reason());
          reportedAll.countDown();
        })).build();
    for (int i = 0; i < 3; i++) {
      assertThat(RawEntry.offer(a, raw(sdkMessage("c-" + i)))).isTrue();
    }
    a.close(Duration.ZERO);
    assertThat(reportedAll.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(reported).containsOnlyKeys("c-0", "c-1", "c-2");
    assertThat(reported.values()).containsOnly(FailureReason.SHUTDOWN);
    Stats s = assertConserved(a);
    assertThat(s.queuedBytes()).isZero();
  }

  @Test
  void aClosedClientRefusesRawMessagesAsClosed() {
    Analytics a = Clients.builder(new BytesTransport()).build();
    a.close(Duration.ofSeconds(5));
    assertThat(RawEntry.offer(a, raw(sdkMessage("late")))).isFalse();
    assertThat(a.stats().dropped(DropReason.CLOSED)).isEqualTo(1);
  }

  @Test
  void aRawMessageNeverShowsItsContentInToString() {
    assertThat(raw(sdkMessage("secret-content")).toString()).doesNotContain("secret-content").contains("bytes");
  }
}
