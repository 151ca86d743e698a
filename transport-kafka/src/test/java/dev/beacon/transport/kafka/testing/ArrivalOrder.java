package dev.beacon.transport.kafka.testing;

import dev.beacon.internal.MessageCodec;
import dev.beacon.testkit.CapturedMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Checks the relay's per-user order guarantee on what a collector received: per user, the first
 * arrival of each message (property {@code seq}) comes in sequence order; duplicates may come
 * later. When it does not hold, the failing user's whole arrival sequence is printed and kept in
 * {@code target/order-failures/}, with each message's partition and offset read back from the
 * topic, so that a failure tells a producer that wrote out of order from a relay that delivered
 * out of order.
 */
public final class ArrivalOrder {
  private ArrivalOrder() {}

  /**
   * Asserts that every user's messages all arrived and that, per user, their first arrivals come
   * in {@code properties.seq} order; else prints and keeps the failing users' arrivals.
   *
   * @param arrivals what the collector received, in arrival order
   * @param users how many users sent messages
   * @param perUser how many messages each user sent (seq 0 to perUser - 1)
   * @param bootstrapServers the broker, to read the topic back
   * @param topic the topic the messages went through
   */
  public static void assertFirstArrivalsInOrder(List<CapturedMessage> arrivals, int users, int perUser,
      String bootstrapServers, String topic) {
    Map<String, List<Integer>> firstArrivals = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (CapturedMessage m : arrivals) {
      if (seen.add(m.messageId())) {
        firstArrivals.computeIfAbsent(m.userId(), k -> new ArrayList<>()).add(seq(m.json()));
      }
    }
    List<String> failures = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> e : new TreeMap<>(firstArrivals).entrySet()) {
      List<Integer> seqs = e.getValue();
      if (seqs.size() != perUser) {
        failures.add("[" + e.getKey() + "] " + seqs.size() + " distinct messages arrived, not " + perUser);
      } else if (!sorted(seqs)) {
        failures.add("[" + e.getKey() + "] first arrivals not in order");
      }
    }
    if (firstArrivals.size() != users) {
      failures.add(firstArrivals.size() + " users arrived, not " + users);
    }
    if (failures.isEmpty()) {
      return;
    }
    StringBuilder report = new StringBuilder(String.join("\n", failures)).append('\n');
    Map<String, String> where = locate(bootstrapServers, topic);
    for (String f : failures) {
      if (f.startsWith("[")) {
        describe(report, f.substring(1, f.indexOf(']')), arrivals, where);
      }
    }
    String text = report.toString();
    System.err.println(text);
    try {
      Path dir = Files.createDirectories(Path.of("target", "order-failures"));
      Path file = dir.resolve(topic + "-" + System.currentTimeMillis() + ".txt");
      Files.writeString(file, text);
      text = "(kept in " + file.toAbsolutePath() + ")\n" + text;
    } catch (IOException e) {
      text = "(could not keep the report: " + e + ")\n" + text;
    }
    throw new AssertionError(text);
  }

  private static boolean sorted(List<Integer> seqs) {
    for (int i = 1; i < seqs.size(); i++) {
      if (seqs.get(i) < seqs.get(i - 1)) {
        return false;
      }
    }
    return true;
  }

  private static int seq(Map<String, Object> json) {
    Object properties = json.get("properties");
    return ((Number) ((Map<?, ?>) properties).get("seq")).intValue();
  }

  /** Every arrival of the user, and the user's records in the topic's own order. */
  private static void describe(StringBuilder out, String user, List<CapturedMessage> arrivals,
      Map<String, String> where) {
    out.append("\narrivals of ").append(user)
        .append(" (#index among all arrivals, seq, partition@offset, first or again):\n");
    Set<String> seen = new HashSet<>();
    int lastFirst = -1;
    for (int i = 0; i < arrivals.size(); i++) {
      CapturedMessage m = arrivals.get(i);
      if (!user.equals(m.userId())) {
        continue;
      }
      int seq = seq(m.json());
      boolean first = seen.add(m.messageId());
      out.append("  #").append(i).append(" seq=").append(seq).append(' ')
          .append(where.getOrDefault(m.messageId(), "?")).append(first ? " first" : " again");
      if (first && seq < lastFirst) {
        out.append("   <-- first arrival after seq ").append(lastFirst);
      }
      if (first) {
        lastFirst = Math.max(lastFirst, seq);
      }
      out.append('\n');
    }
    out.append("records of ").append(user).append(" in the topic, in offset order (seq@offset):\n  ");
    Map<String, Integer> seqById = new HashMap<>();
    for (CapturedMessage m : arrivals) {
      if (user.equals(m.userId())) {
        seqById.put(m.messageId(), seq(m.json()));
      }
    }
    List<Map.Entry<String, String>> records = new ArrayList<>();
    where.forEach((id, at) -> {
      if (seqById.containsKey(id)) {
        records.add(Map.entry(id, at));
      }
    });
    records.sort((a, b) -> Long.compare(offset(a.getValue()), offset(b.getValue())));
    boolean topicInOrder = true;
    int previous = -1;
    for (Map.Entry<String, String> r : records) {
      int seq = seqById.get(r.getKey());
      topicInOrder &= seq > previous;
      previous = seq;
      out.append(seq).append('@').append(r.getValue()).append(' ');
    }
    out.append("\nthe topic holds ").append(user).append("'s records in seq order: ").append(topicInOrder)
        .append(topicInOrder ? " (so the relay reordered them)" : " (so the producer wrote them out of order)")
        .append('\n');
  }

  private static long offset(String at) {
    return Long.parseLong(at.substring(at.indexOf('@') + 1));
  }

  /** Reads the whole topic: where each messageId was written, as {@code p<partition>@<offset>}. */
  private static Map<String, String> locate(String bootstrapServers, String topic) {
    Map<String, String> where = new LinkedHashMap<>();
    try (KafkaConsumer<byte[], byte[]> c = KafkaBroker.consumeFromStart(bootstrapServers, topic)) {
      List<TopicPartition> parts = new ArrayList<>(c.assignment());
      Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          byte[] v = r.value();
          try {
            Object id = MessageCodec.parseObject(v, 0, v.length).get("messageId");
            if (id != null) {
              where.putIfAbsent(id.toString(), "p" + r.partition() + "@" + r.offset());
            }
          } catch (RuntimeException e) {
            // not a message: nothing to locate
          }
        }
      }
    } catch (RuntimeException e) {
      System.err.println("could not read " + topic + " back to locate messages: " + e);
    }
    return where;
  }
}
