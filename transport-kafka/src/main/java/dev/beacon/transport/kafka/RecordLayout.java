package dev.beacon.transport.kafka;

import dev.beacon.MessageType;
import dev.beacon.internal.Library;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * The one layout of a Beacon record in Kafka, written by {@link KafkaTransport} (applications)
 * and {@link KafkaEventSink} (the gateway) alike, and read by the relay: the value is one Segment
 * message's JSON, the key its {@code userId} else its {@code anonymousId} in UTF-8 (none when it
 * has neither), and the headers {@value #HEADER_TYPE} and {@value #HEADER_VERSION}, plus
 * {@value #HEADER_SOURCE} when the writer knows the source the message came from.
 */
final class RecordLayout {
  /** Header holding the message type: {@code identify}, {@code track}... */
  static final String HEADER_TYPE = "beacon.type";
  /** Header holding the version of Beacon that wrote the record, e.g. {@code 0.1.0}. */
  static final String HEADER_VERSION = "beacon.version";
  /** Header holding the name of the source (a gateway's write key's name, never the key itself). */
  static final String HEADER_SOURCE = "beacon.source";

  private static final byte[] VERSION = Library.VERSION.getBytes(StandardCharsets.UTF_8);
  /** The six types' header values, encoded once; nothing else is ever a type. */
  private static final Map<MessageType, byte[]> TYPES = new EnumMap<>(MessageType.class);

  static {
    for (MessageType t : MessageType.values()) {
      TYPES.put(t, t.wireName().getBytes(StandardCharsets.UTF_8));
    }
  }

  private RecordLayout() {}

  /**
   * The record key of a message.
   *
   * @param userId the message's {@code userId}, or null
   * @param anonymousId its {@code anonymousId}, or null
   * @return the first of the two that is not null, in UTF-8; null when both are
   */
  static byte[] key(String userId, String anonymousId) {
    String id = userId != null ? userId : anonymousId;
    return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * One message's record.
   *
   * @param topic the topic
   * @param key the key from {@link #key}, or null
   * @param json the message's JSON object, as it goes into a {@code /v1/batch} body
   * @param type the message's type
   * @param source the source's name for {@value #HEADER_SOURCE}, or null for no such header
   * @return the record
   */
  static ProducerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] json, MessageType type,
      byte[] source) {
    Header typeHeader = new RecordHeader(HEADER_TYPE, TYPES.get(type));
    Header version = new RecordHeader(HEADER_VERSION, VERSION);
    List<Header> headers = source == null ? List.of(typeHeader, version)
        : List.of(typeHeader, version, new RecordHeader(HEADER_SOURCE, source));
    return new ProducerRecord<>(topic, null, key, json, headers);
  }
}
