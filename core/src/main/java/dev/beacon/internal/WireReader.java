package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.beacon.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one Segment message on Jackson's token stream, without building maps or any text it does
 * not need: the fast path in front of {@link MessageCodec}, which stays the definition of the wire
 * format. Not API.
 *
 * <ul>
 *   <li>{@link #read} answers {@link Verdict#AS_IS} only for a message that
 *       {@link MessageCodec#decode} certainly accepts and that is already complete (a
 *       {@code messageId}, a {@code timestamp} and a {@code context.library} object), so that a
 *       caller passes its bytes on unchanged (the Kafka relay);</li>
 *   <li>{@link #complete} completes a valid message that lacks one of those by inserting the
 *       missing fields, with the codec's values, into its bytes, which it otherwise keeps (the
 *       Kafka relay; with {@link #read} in one pass, {@code settle}: the engine's raw entry);</li>
 *   <li>{@link #decode} builds the {@link Message} the codec builds, its immutable maps made in the
 *       same pass ({@code beacon import}).</li>
 * </ul>
 *
 * <p>Each answers "use the codec" (USE_CODEC, or null) for everything it does not settle: a
 * message the codec would refuse (the codec then gives the refusal, with the texts and limits of
 * {@link WireRules} and the builders, so there is one wording), and every rare shape whose answer
 * the reader does not work out itself (ids sent as numbers, timestamps in another ISO-8601
 * spelling, numbers with an exponent, nesting near {@link Values#MAX_DEPTH}, objects of more than
 * {@value #MAX_JUDGED_NAMES} names, sizes near {@link Message#MAX_MESSAGE_BYTES}). Its own
 * thresholds below only route a message to the codec; they never refuse one. The differential
 * test ({@code WireReaderDifferentialTest}) holds the reader to that promise.
 *
 * <p>What it costs: one pass of the parser over the bytes (plus, to complete, one copy of the
 * bytes with the missing fields inserted); the few top-level strings it must judge ({@code type}, the ids, {@code event},
 * {@code timestamp}) are judged on the parser's characters, every other value is skipped by the
 * parser (still checked as JSON: UTF-8, escapes, trailing content) or, for {@code decode}, built;
 * repeated names are refused with one reused array; timestamps are checked by hand (no
 * {@code DateTimeFormatter}), integers by their length and decimals by their spelling (no
 * {@code BigDecimal} to check them).
 */
public final class WireReader {
  /** What to do with a message's bytes. */
  public enum Verdict {
    /** Valid and complete: pass the bytes on as they arrived. */
    AS_IS,
    /**
     * Not decided here: to complete, to refuse, or of a rare shape. Decode it with
     * {@link MessageCodec} as before, which completes it or refuses it with the reason.
     */
    USE_CODEC
  }

  /**
   * Room kept below {@link Message#MAX_MESSAGE_BYTES} for what the codec's serialization may add
   * to a message the reader passes on: the codec measures the message as Beacon writes it
   * ({@code context.library} replaced by Beacon's, the timestamp with milliseconds, a decimal
   * number in {@code BigDecimal}'s spelling), which can be a little longer than the bytes that
   * arrived. Bigger messages are left to the codec, which measures them exactly.
   */
  static final int SIZE_MARGIN = 1024;
  /** Bytes one decimal number may grow by in {@code BigDecimal}'s spelling ({@code 1.0} stays, {@code 0.000001} stays). */
  private static final int DECIMAL_GROWTH = 8;
  /** Deepest container (the root object is 1) the reader judges; deeper is left to the codec's depth rule. */
  static final int MAX_JUDGED_DEPTH = Values.MAX_DEPTH - 4;
  /** Most names of one object the reader checks for repeats; an object with more is left to the codec. */
  static final int MAX_JUDGED_NAMES = 48;

  /** The six wire names ({@code MessageType}'s), as constants the verdict switches on. */
  private static final String[] TYPES = {"track", "identify", "page", "screen", "group", "alias"};

  private WireReader() {}

  /**
   * Reads one message.
   *
   * @param json UTF-8 JSON text of one message
   * @param offset start in the buffer
   * @param length length of the text
   * @return {@link Verdict#AS_IS} when the bytes are a valid, complete message to pass on as they
   *     are; {@link Verdict#USE_CODEC} otherwise
   */
  public static Verdict read(byte[] json, int offset, int length) {
    if (length > Message.MAX_MESSAGE_BYTES - SIZE_MARGIN) {
      return Verdict.USE_CODEC;
    }
    try (JsonParser p = WireRules.parserWithoutDuplicateCheck(MessageSerializer.JSON, json, offset, length)) {
      Scan s = new Scan(false, offset);
      if (p.nextToken() != JsonToken.START_OBJECT || !s.topLevel(p)) {
        return Verdict.USE_CODEC;
      }
      if (p.nextToken() != null) {
        return Verdict.USE_CODEC; // trailing content: the codec refuses it with its reason
      }
      return s.verdict(length);
    } catch (IOException | RuntimeException e) {
      // Not valid JSON under WireRules (or something stranger): the codec says why, or accepts.
      return Verdict.USE_CODEC;
    }
  }

  /**
   * Completes a valid message that lacks {@code messageId}, {@code timestamp} or
   * {@code context.library} by inserting what it lacks into its bytes: the message keeps every
   * byte it arrived with (field order, unknown fields such as {@code sentAt}, the sender's
   * {@code context.library}, the sender's timestamp in its own spelling), and gets, with the
   * values the codec would give them:
   * <ul>
   *   <li>{@code "messageId":"…"} and/or {@code "timestamp":"…"} (epoch milliseconds written as
   *       {@link Timestamps#format} writes them) right after the opening brace, or in place of a
   *       {@code null} sent for them;</li>
   *   <li>Beacon's {@code context.library} as the first field of the message's {@code context}
   *       object, in place of a {@code library} value that is not an object, or as a new
   *       {@code "context":{"library":…}} (in place of {@code "context":null}).</li>
   * </ul>
   * The result is a message {@link #read} passes on as it is, and that {@link MessageCodec#decode}
   * decodes to the {@link Message} the codec builds from the input once those fields are put in
   * its map. Returns null for everything it does not decide: a message already complete (its bytes
   * go on as they are, see {@link #read}), one the codec refuses, one of a shape {@link #read}
   * leaves to the codec, one holding a lone surrogate (which the codec repairs), or one whose
   * completed bytes would come near {@link Message#MAX_MESSAGE_BYTES}. The caller then completes
   * it with the codec as before.
   *
   * @param json UTF-8 JSON text of one message
   * @param offset start in the buffer
   * @param length length of the text
   * @param messageId the id to put when the message has none (called only then)
   * @param timestampMillis the epoch milliseconds to put when the message has no timestamp; a
   *     negative value means none (such a message is left to the codec)
   * @return the completed message's JSON, or null to use the codec
   */
  public static byte[] complete(byte[] json, int offset, int length, java.util.function.Supplier<String> messageId,
      long timestampMillis) {
    try {
      return completeOrNull(json, offset, length, messageId, timestampMillis, false);
    } catch (RuntimeException e) {
      // Input the reader did not foresee is the codec's to judge (it dead-letters what throws).
      return null;
    }
  }

  /**
   * {@link #read} and {@link #complete} in one pass over the bytes: a copy of the message's bytes
   * when {@code read} answers {@link Verdict#AS_IS}, else what {@code complete} returns (the
   * completed JSON, or null to use the codec). The engine's entry for serialized messages
   * ({@link RawMessage#of}) judges each message with it once.
   *
   * @param json UTF-8 JSON text of one message
   * @param offset start in the buffer
   * @param length length of the text
   * @param messageId the id to put when the message has none (called only then)
   * @param timestampMillis as for {@link #complete}
   * @return the message's JSON as it is or completed, or null to use the codec
   */
  static byte[] settle(byte[] json, int offset, int length, java.util.function.Supplier<String> messageId,
      long timestampMillis) {
    try {
      return completeOrNull(json, offset, length, messageId, timestampMillis, true);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** {@code asIs}: a complete message gives its bytes ({@link #settle}) rather than null ({@link #complete}). */
  private static byte[] completeOrNull(byte[] json, int offset, int length,
      java.util.function.Supplier<String> messageId, long timestampMillis, boolean asIs) {
    if (length > Message.MAX_MESSAGE_BYTES - SIZE_MARGIN) {
      return null;
    }
    Scan s = new Scan(false, true, offset);
    try (JsonParser p = WireRules.parserWithoutDuplicateCheck(MessageSerializer.JSON, json, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      s.rootAt = offset + (int) p.currentTokenLocation().getByteOffset();
      if (!s.topLevel(p) || p.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    boolean hasId = s.messageId == Scan.TEXT;
    boolean hasTimestamp = s.timestamp == Scan.TEXT;
    if (asIs && hasId && hasTimestamp && s.library) {
      // read's verdict on the same scan (recording positions changes no judgement).
      return s.verdict(length) == Verdict.AS_IS ? java.util.Arrays.copyOfRange(json, offset, offset + length) : null;
    }
    if ((hasId && hasTimestamp && s.library) || !s.valid()
        || (s.messageId != Scan.ABSENT && !hasId) || (s.timestamp != Scan.ABSENT && !hasTimestamp)
        || (!hasTimestamp && timestampMillis < 0) || Splice.mayHoldLoneSurrogate(json, offset, offset + length)) {
      return null;
    }
    String id = hasId ? null : messageId.get();
    if (!hasId && (id == null || id.isBlank() || id.length() > Message.MAX_MESSAGE_ID_LENGTH
        || MessageSizes.stringBoundIfWellFormed(id) < 0)) {
      return null;
    }
    String timestamp = hasTimestamp ? null : Timestamps.format(java.time.Instant.ofEpochMilli(timestampMillis));
    if (timestamp != null && !WireTimestamps.isIsoOffsetDateTime(timestamp)) {
      return null; // a year past 9999: the codec's
    }
    byte[] out = Splice.complete(json, offset, length, s, id, timestamp);
    // read's size rule, on what goes out: the codec then certainly accepts the completed bytes.
    if (out == null || out.length + s.decimals * DECIMAL_GROWTH > Message.MAX_MESSAGE_BYTES - SIZE_MARGIN) {
      return null;
    }
    return out;
  }

  /**
   * A message decoded by {@link #decode}.
   *
   * @param message the validated message
   * @param hadTimestamp whether the JSON carried its own timestamp (else the build time was stamped)
   */
  public record Decoded(Message message, boolean hadTimestamp) {}

  /**
   * Decodes a message into the {@link Message} {@link MessageCodec#decode} builds — with
   * {@code messageId} put first when the JSON has none — straight from the token stream: the
   * message's maps are built as the immutable snapshots a {@code Message} holds, not first as
   * {@code LinkedHashMap}s to be copied again, and the timestamp is read without
   * {@code DateTimeFormatter}. Returns null for everything it does not decide (a message the codec
   * refuses, one of a shape {@link #read} leaves to the codec, a key holding a lone surrogate); the
   * caller then decodes it with the codec, which also gives the refusal.
   *
   * @param json UTF-8 JSON text of one message
   * @param offset start in the buffer
   * @param length length of the text
   * @param messageId the id to put when the message has none (called only then)
   * @return the message and whether it had a timestamp, or null to use the codec
   */
  public static Decoded decode(byte[] json, int offset, int length, java.util.function.Supplier<String> messageId) {
    try {
      return decodeOrNull(json, offset, length, messageId);
    } catch (RuntimeException e) {
      // Input the reader did not foresee is the codec's to judge.
      return null;
    }
  }

  private static Decoded decodeOrNull(byte[] json, int offset, int length,
      java.util.function.Supplier<String> messageId) {
    if (length > Message.MAX_MESSAGE_BYTES - SIZE_MARGIN) {
      return null;
    }
    Scan s = new Scan(true, offset);
    s.snapshots = new Snapshots(s);
    try (JsonParser p = WireRules.parserWithoutDuplicateCheck(MessageSerializer.JSON, json, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT || !s.topLevel(p) || p.nextToken() != null) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null; // Snapshots.LEFT_TO_CODEC included
    }
    if (!s.valid() || (s.messageId != Scan.ABSENT && s.messageId != Scan.TEXT)
        || (s.timestamp != Scan.ABSENT && s.timestamp != Scan.TEXT)) {
      return null;
    }
    String id = s.messageId == Scan.TEXT ? s.text[2] : messageId.get();
    java.time.Instant at = s.timestamp == Scan.TEXT ? WireTimestamps.toInstant(s.text[6]) : null;
    if (id == null || (s.timestamp == Scan.TEXT && at == null)) {
      return null;
    }
    try {
      FrozenMap[] maps = s.built;
      Message.Builder<?, ?> b;
      switch (s.type) {
        case "track":
          b = dev.beacon.Track.builder(s.text[Scan.EVENT]).properties(maps[Scan.PROPERTIES]);
          break;
        case "identify":
          b = dev.beacon.Identify.builder().traits(maps[Scan.TRAITS]);
          break;
        case "page":
          b = dev.beacon.Page.builder().name(s.text[Scan.NAME]).category(s.text[Scan.CATEGORY])
              .properties(maps[Scan.PROPERTIES]);
          break;
        case "screen":
          b = dev.beacon.Screen.builder().name(s.text[Scan.NAME]).category(s.text[Scan.CATEGORY])
              .properties(maps[Scan.PROPERTIES]);
          break;
        case "group":
          b = dev.beacon.Group.builder(s.text[Scan.GROUP_ID]).traits(maps[Scan.TRAITS]);
          break;
        default: // alias
          b = dev.beacon.Alias.builder(s.text[Scan.PREVIOUS_ID]);
      }
      b.userId(s.text[Scan.USER_ID]).anonymousId(s.text[Scan.ANONYMOUS_ID]).messageId(id)
          .context(maps[Scan.CONTEXT]).integrations(maps[Scan.INTEGRATIONS]);
      if (at != null) {
        b.timestamp(at);
      }
      return new Decoded(b.build(), at != null);
    } catch (RuntimeException e) {
      // The builder's refusal (a message over 32 KB once written): the codec decides, with its wording.
      return null;
    }
  }

  /**
   * Builds the immutable maps a {@link Message} holds ({@link FrozenMap}s and unmodifiable lists,
   * with the size bound and height {@link Values}' snapshot walk computes) while the message is
   * read, with the checks {@link Scan} makes on every value (repeated names, nesting, numbers). What
   * the reader leaves to the codec — those checks failing, or a key with a lone surrogate, which
   * {@code Values} repairs and may merge — ends the walk with {@link #LEFT_TO_CODEC}.
   */
  private static final class Snapshots {
    /** Thrown to leave the message to the codec; no stack trace, one shared instance. */
    static final RuntimeException LEFT_TO_CODEC = new RuntimeException("left to the codec", null, false, false) {
      private static final long serialVersionUID = 1L;
    };
    private final Scan scan;
    private long bound;
    private int depth;
    private int deepest;

    Snapshots(Scan scan) {
      this.scan = scan;
    }

    /** The snapshot of a top-level object field; the parser is on its opening brace. */
    FrozenMap top(JsonParser p, boolean context) throws IOException {
      bound = 0;
      depth = 0;
      deepest = 0;
      return map(p, 2, context);
    }

    /** An object at nesting {@code level} (the root is 1), as {@code Values.Walker.map} snapshots it. */
    private FrozenMap map(JsonParser p, int level, boolean context) throws IOException {
      if (level > MAX_JUDGED_DEPTH) {
        throw LEFT_TO_CODEC;
      }
      long start = bound;
      int outerDeepest = deepest;
      int base = depth;
      deepest = depth;
      enter();
      String[] keys = new String[8];
      Object[] values = new Object[8];
      int n = 0;
      int names = scan.top;
      bound += 2;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        int keyBound = MessageSizes.stringBoundIfWellFormed(key);
        if (keyBound < 0 || !scan.name(names, key)) {
          throw LEFT_TO_CODEC;
        }
        bound += keyBound + 2;
        if (n == keys.length) {
          keys = java.util.Arrays.copyOf(keys, n * 2);
          values = java.util.Arrays.copyOf(values, n * 2);
        }
        JsonToken t = p.nextToken();
        if (context && "library".equals(key)) {
          scan.library = t == JsonToken.START_OBJECT;
        }
        keys[n] = key;
        values[n] = value(p, t, level);
        n++;
      }
      scan.top = names;
      depth--;
      int height = deepest - base;
      deepest = Math.max(outerDeepest, deepest);
      return new FrozenMap(keys, values, n, (int) Math.min(Integer.MAX_VALUE, bound - start), height);
    }

    private void enter() {
      depth++;
      if (depth > deepest) {
        deepest = depth;
      }
    }

    /** A value inside a container at nesting {@code level}. */
    private Object value(JsonParser p, JsonToken t, int level) throws IOException {
      switch (t) {
        case START_OBJECT:
          return map(p, level + 1, false);
        case START_ARRAY: {
          if (level + 1 > MAX_JUDGED_DEPTH) {
            throw LEFT_TO_CODEC;
          }
          enter();
          java.util.ArrayList<Object> list = new java.util.ArrayList<>();
          bound += 2;
          JsonToken e;
          while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
            bound += 1;
            list.add(value(p, e, level + 1));
          }
          depth--;
          return java.util.Collections.unmodifiableList(list);
        }
        case VALUE_STRING: {
          String v = p.getText();
          int b = MessageSizes.stringBoundIfWellFormed(v);
          if (b < 0) {
            v = MessageSizes.sanitize(v);
            b = MessageSizes.stringBound(v);
          }
          bound += b;
          return v;
        }
        case VALUE_NUMBER_INT:
          if (p.getTextLength() > 1000) {
            throw LEFT_TO_CODEC;
          }
          if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            java.math.BigInteger big = p.getBigIntegerValue();
            bound += big.bitLength() / 3 + 2;
            return big;
          }
          bound += 20;
          return p.getLongValue();
        case VALUE_NUMBER_FLOAT: {
          scan.decimals++;
          if (!WireRules.plainDecimal(p)) {
            throw LEFT_TO_CODEC;
          }
          java.math.BigDecimal d = p.getDecimalValue();
          bound += d.toString().length();
          return d;
        }
        case VALUE_TRUE:
          bound += 5;
          return Boolean.TRUE;
        case VALUE_FALSE:
          bound += 5;
          return Boolean.FALSE;
        case VALUE_NULL:
          bound += 4;
          return null;
        default:
          throw LEFT_TO_CODEC;
      }
    }
  }

  /** One message's top-level fields, as far as the verdict needs them. */
  private static final class Scan {
    /** A string field not sent (or null). */
    static final byte ABSENT = 0;
    /** A string field that is empty or only whitespace ({@link String#isBlank()}). */
    static final byte BLANK = 1;
    /** A string field with text. */
    static final byte TEXT = 2;
    /** {@code messageId} longer than {@link Message#MAX_MESSAGE_ID_LENGTH}, {@code timestamp} not of the spelling judged here. */
    static final byte NOT_JUDGED = 3;

    /** The type's wire name, or null. */
    String type;
    byte userId;
    byte anonymousId;
    byte messageId;
    byte timestamp;
    byte event;
    byte groupId;
    byte previousId;
    boolean library;
    int decimals;
    /** The fields that held a value the reader does not judge (see {@link #bit}). */
    int odd;
    /** When decoding: the text of each string field, by {@link #bit} index (userId 0 ... category 8). */
    final String[] text;

    /** When completing: record where the fields to complete are ({@link Splice}); the rest is absolute buffer positions. */
    final boolean positions;
    /** The root object's opening brace. */
    int rootAt = -1;
    /** A {@code null} sent as {@code messageId} / {@code timestamp}; -1 when not. */
    int nullMessageIdAt = -1;
    int nullTimestampAt = -1;
    /** The context's value: its opening brace, or its {@code null}; -1 when absent. */
    int contextAt = -1;
    boolean contextNull;
    /** The number of names in the context object. */
    int contextNames;
    /** A {@code context.library} value that is not an object: where it starts and ends; -1 when none. */
    int libraryAt = -1;
    int libraryEnd = -1;

    /** When decoding: builds the object fields' snapshots in the same pass (else null). */
    Snapshots snapshots;
    /** When decoding: the snapshots of context, properties, traits and integrations, by bit index (9-12). */
    final FrozenMap[] built = new FrozenMap[13];

    /** Where the parser's byte offsets count from in the buffer (Jackson counts from the text's start). */
    final int base;

    /** Indexes in {@link #text} and {@link #built}, by {@link #bit} index. */
    static final int USER_ID = 0;
    static final int ANONYMOUS_ID = 1;
    static final int GROUP_ID = 3;
    static final int PREVIOUS_ID = 4;
    static final int EVENT = 5;
    static final int NAME = 7;
    static final int CATEGORY = 8;
    static final int CONTEXT = 9;
    static final int PROPERTIES = 10;
    static final int TRAITS = 11;
    static final int INTEGRATIONS = 12;

    Scan(boolean capture, int base) {
      this(capture, false, base);
    }

    Scan(boolean capture, boolean positions, int base) {
      this.text = capture ? new String[9] : null;
      this.positions = positions;
      this.base = base;
    }

    /** Where the parser's current token starts, in the buffer. */
    private int tokenAt(JsonParser p) {
      return base + (int) p.currentTokenLocation().getByteOffset();
    }

    /** The names of the objects being read, outermost first, to refuse a repeated one. */
    private String[] names = new String[32];
    private int top;

    /**
     * Records a name of the object whose names start at {@code start}; false when the object
     * already has it (the codec refuses the message) or has more than {@link #MAX_JUDGED_NAMES}
     * (left to the codec, so that the check stays linear in the message's size). Jackson's own
     * duplicate detection makes a hash set per object: this is what the reader does instead.
     */
    private boolean name(int start, String name) {
      if (top - start >= MAX_JUDGED_NAMES) {
        return false;
      }
      for (int i = start; i < top; i++) {
        String n = names[i];
        if (n == name || n.equals(name)) {
          return false;
        }
      }
      if (top == names.length) {
        names = java.util.Arrays.copyOf(names, top * 2);
      }
      names[top++] = name;
      return true;
    }

    /** Reads the root object's fields; false when something must be left to the codec. */
    boolean topLevel(JsonParser p) throws IOException {
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (!name(0, name)) {
          return false;
        }
        JsonToken v = p.nextToken();
        switch (name) {
          case "type":
            if (!string(v)) {
              return false;
            }
            type = v == JsonToken.VALUE_NULL ? null : typeName(p);
            break;
          case "userId":
          case "anonymousId":
          case "messageId":
          case "groupId":
          case "previousId":
          case "event":
          case "timestamp":
          case "name":
          case "category":
            if (string(v)) {
              set(name, v == JsonToken.VALUE_NULL ? ABSENT : judge(name, p));
              if (text != null && v == JsonToken.VALUE_STRING) {
                text[Integer.numberOfTrailingZeros(bit(name))] = p.getText();
              }
              if (positions && v == JsonToken.VALUE_NULL) {
                if ("messageId".equals(name)) {
                  nullMessageIdAt = tokenAt(p);
                } else if ("timestamp".equals(name)) {
                  nullTimestampAt = tokenAt(p);
                }
              }
            } else {
              // A number id or a value of the wrong type: the codec's business if the type reads
              // the field, ignored (like any unknown field) if it does not.
              odd |= bit(name);
              if (!value(p, v, 1)) {
                return false;
              }
            }
            break;
          case "context":
            if (v == JsonToken.START_OBJECT && snapshots != null) {
              built[9] = snapshots.top(p, true);
            } else if (v == JsonToken.START_OBJECT) {
              if (positions) {
                contextAt = tokenAt(p);
              }
              if (!context(p)) {
                return false;
              }
            } else if (v != JsonToken.VALUE_NULL) {
              odd |= bit(name);
              if (!value(p, v, 1)) {
                return false;
              }
            } else if (positions) {
              contextAt = tokenAt(p);
              contextNull = true;
            }
            break;
          case "properties":
          case "traits":
          case "integrations":
            if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
              odd |= bit(name);
            }
            if (v == JsonToken.START_OBJECT && snapshots != null) {
              built[Integer.numberOfTrailingZeros(bit(name))] = snapshots.top(p, false);
              break;
            }
            if (!value(p, v, 1)) {
              return false;
            }
            break;
          default:
            if (!value(p, v, 1)) {
              return false;
            }
        }
      }
      return t == JsonToken.END_OBJECT;
    }

    /**
     * What a string field holds, judged on the parser's characters (no text is made):
     * {@link #BLANK} or {@link #TEXT}; for {@code messageId} also {@link #NOT_JUDGED} when too long,
     * for {@code timestamp} {@link #TEXT} only in the spelling {@link WireTimestamps} recognizes.
     */
    private static byte judge(String name, JsonParser p) throws IOException {
      char[] c = p.getTextCharacters();
      int off = p.getTextOffset();
      int len = p.getTextLength();
      if ("timestamp".equals(name)) {
        return WireTimestamps.isIsoOffsetDateTime(c, off, len) ? TEXT : NOT_JUDGED;
      }
      if ("messageId".equals(name) && len > Message.MAX_MESSAGE_ID_LENGTH) {
        return NOT_JUDGED;
      }
      // String.isBlank: every code point whitespace; no whitespace lies outside the BMP, so char
      // by char is the same test (a surrogate is not whitespace).
      for (int i = off; i < off + len; i++) {
        if (!Character.isWhitespace(c[i])) {
          return TEXT;
        }
      }
      return BLANK;
    }

    /** The type's wire name when it is one of the six (an interned constant), else the text itself. */
    private static String typeName(JsonParser p) throws IOException {
      char[] c = p.getTextCharacters();
      int off = p.getTextOffset();
      int len = p.getTextLength();
      for (String t : TYPES) {
        if (t.length() == len && same(t, c, off)) {
          return t;
        }
      }
      return p.getText();
    }

    private static boolean same(String t, char[] c, int off) {
      for (int i = 0; i < t.length(); i++) {
        if (t.charAt(i) != c[off + i]) {
          return false;
        }
      }
      return true;
    }

    private void set(String name, byte state) {
      switch (name) {
        case "userId":
          userId = state;
          break;
        case "anonymousId":
          anonymousId = state;
          break;
        case "messageId":
          messageId = state;
          break;
        case "groupId":
          groupId = state;
          break;
        case "previousId":
          previousId = state;
          break;
        case "event":
          event = state;
          break;
        case "timestamp":
          timestamp = state;
          break;
        default:
          // name, category: any string (or null) is valid
      }
    }

    /** One bit per field whose value's type the codec checks for some message types. */
    private static int bit(String name) {
      switch (name) {
        case "userId":
          return 1;
        case "anonymousId":
          return 1 << 1;
        case "messageId":
          return 1 << 2;
        case "groupId":
          return 1 << 3;
        case "previousId":
          return 1 << 4;
        case "event":
          return 1 << 5;
        case "timestamp":
          return 1 << 6;
        case "name":
          return 1 << 7;
        case "category":
          return 1 << 8;
        case "context":
          return 1 << 9;
        case "properties":
          return 1 << 10;
        case "traits":
          return 1 << 11;
        default: // integrations
          return 1 << 12;
      }
    }

    /** The fields every type reads: the ids, timestamp, context and integrations. */
    private static final int COMMON = 1 | 1 << 1 | 1 << 2 | 1 << 6 | 1 << 9 | 1 << 12;

    private static boolean string(JsonToken v) {
      return v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NULL;
    }

    /** The context object: its values as any other, and whether {@code library} is an object. */
    private boolean context(JsonParser p) throws IOException {
      JsonToken t;
      int start = top;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        if (!name(start, p.currentName())) {
          return false;
        }
        boolean isLibrary = "library".equals(p.currentName());
        JsonToken v = p.nextToken();
        if (isLibrary) {
          library = v == JsonToken.START_OBJECT;
          if (positions && !library) {
            libraryAt = tokenAt(p);
          }
        }
        if (!value(p, v, 2)) {
          return false;
        }
        if (isLibrary && positions && !library) {
          // The value's end: a string is read only up to its opening quote until finished; a
          // number, a literal or an array's closing bracket is the last byte the parser took.
          if (v == JsonToken.VALUE_STRING) {
            p.finishToken();
          }
          libraryEnd = base + (int) p.currentLocation().getByteOffset();
        }
      }
      contextNames = top - start;
      top = start;
      return t == JsonToken.END_OBJECT;
    }

    /**
     * Checks one value whose first token is {@code v}, at container depth {@code depth} (the root
     * object is 1): numbers within {@link WireRules}' range, nesting the codec would accept.
     * Strings and names are not decoded into text: the parser skips them, validating them as JSON.
     */
    private boolean value(JsonParser p, JsonToken v, int depth) throws IOException {
      switch (v) {
        case START_OBJECT:
        case START_ARRAY: {
          if (depth + 1 > MAX_JUDGED_DEPTH) {
            return false;
          }
          JsonToken t;
          int start = top;
          while ((t = p.nextToken()) != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
            if (t == JsonToken.FIELD_NAME) {
              if (!name(start, p.currentName())) {
                return false;
              }
              t = p.nextToken();
            }
            if (t == null || !value(p, t, depth + 1)) {
              return false;
            }
          }
          top = start;
          return true;
        }
        case VALUE_NUMBER_INT:
          // An integer of at most 1,000 digits is below 2^3322, inside WireRules' 3,325 bits:
          // judged by its length, never made into a BigInteger. (Jackson's own limit on a
          // number's length refuses longer ones first, for the codec as for the reader.)
          return p.getTextLength() <= 1000;
        case VALUE_NUMBER_FLOAT:
          decimals++;
          return WireRules.plainDecimal(p);
        case VALUE_STRING:
        case VALUE_TRUE:
        case VALUE_FALSE:
        case VALUE_NULL:
          return true;
        default:
          return false;
      }
    }


    /** After the whole object: the codec's rules per type, for the fields read. */
    Verdict verdict(int length) {
      if (type == null || messageId != TEXT || timestamp != TEXT || !library) {
        return Verdict.USE_CODEC; // invalid, to complete, or not judged here
      }
      if (length + decimals * DECIMAL_GROWTH > Message.MAX_MESSAGE_BYTES - SIZE_MARGIN) {
        return Verdict.USE_CODEC;
      }
      return valid() ? Verdict.AS_IS : Verdict.USE_CODEC;
    }

    /**
     * Whether the codec certainly builds a message of these fields, apart from {@code messageId}
     * and {@code timestamp} (each TEXT or ABSENT, checked by the caller) and its size.
     */
    boolean valid() {
      if (type == null) {
        return false;
      }
      int read;
      switch (type) {
        case "track":
          if (event != TEXT) {
            return false;
          }
          read = COMMON | bit("event") | bit("properties");
          break;
        case "group":
          if (groupId != TEXT) {
            return false;
          }
          read = COMMON | bit("groupId") | bit("traits");
          break;
        case "alias":
          if (previousId != TEXT || userId != TEXT) {
            return false;
          }
          read = COMMON | bit("previousId");
          break;
        case "identify":
          read = COMMON | bit("traits");
          break;
        case "page":
        case "screen":
          read = COMMON | bit("name") | bit("category") | bit("properties");
          break;
        default:
          return false;
      }
      if ((odd & read) != 0) {
        return false;
      }
      // Message.Builder.validateIdentity: a user or an anonymous id, neither blank when sent.
      if (userId == BLANK || anonymousId == BLANK || (userId != TEXT && anonymousId != TEXT)) {
        return false;
      }
      return true;
    }
  }

  /**
   * Completes a message by inserting into its bytes what {@link #complete} puts: up to four edits
   * (the root's new fields after its opening brace; a {@code null} id or timestamp replaced; the
   * library inserted into or replaced in the context), applied in one copy of the bytes.
   */
  private static final class Splice {
    /** Beacon's {@code context.library} object, as the codec's serializer writes it. */
    private static final byte[] LIBRARY = MessageSerializer.library().getBytes(StandardCharsets.UTF_8);
    /** {@code "library":{…}}, the context's only field. */
    private static final byte[] LIBRARY_ONLY = join(ascii("\"library\":"), LIBRARY);
    /** {@code "library":{…},}, the first of the context's fields. */
    private static final byte[] LIBRARY_FIRST = join(LIBRARY_ONLY, ascii(","));
    /** {@code {"library":{…}}}, a context of its own. */
    private static final byte[] CONTEXT = join(ascii("{"), LIBRARY_ONLY, ascii("}"));
    /** {@code "context":{"library":{…}},}, a field put first in the root. */
    private static final byte[] CONTEXT_FIRST = join(ascii("\"context\":"), CONTEXT, ascii(","));
    private static final byte[] MESSAGE_ID_FIELD = ascii("\"messageId\":");
    private static final byte[] TIMESTAMP_FIELD = ascii("\"timestamp\":");
    private static final byte[] COMMA = ascii(",");

    private final int[] at = new int[4];
    private final int[] cut = new int[4];
    private final byte[][] put = new byte[4][];
    private int edits;

    private Splice() {}

    /**
     * The completed bytes; {@code id} / {@code timestamp} null when the message has its own. Null
     * when the result would hold more names in one object than {@link #read} judges.
     */
    static byte[] complete(byte[] json, int offset, int length, Scan s, String id, String timestamp) {
      Splice e = new Splice();
      byte[][] root = new byte[3][];
      int added = 0;
      if (id != null && s.nullMessageIdAt >= 0) {
        e.edit(s.nullMessageIdAt, 4, quote(id, null));
      } else if (id != null) {
        root[added++] = quote(id, MESSAGE_ID_FIELD);
      }
      if (timestamp != null && s.nullTimestampAt >= 0) {
        e.edit(s.nullTimestampAt, 4, quote(timestamp, null));
      } else if (timestamp != null) {
        root[added++] = quote(timestamp, TIMESTAMP_FIELD);
      }
      if (!s.library) {
        if (s.contextAt < 0) {
          root[added++] = CONTEXT_FIRST;
        } else if (s.contextNull) {
          e.edit(s.contextAt, 4, CONTEXT);
        } else if (s.libraryAt >= 0) {
          e.edit(s.libraryAt, s.libraryEnd - s.libraryAt, LIBRARY);
        } else if (s.contextNames + 1 > MAX_JUDGED_NAMES) {
          return null;
        } else {
          e.edit(s.contextAt + 1, 0, s.contextNames > 0 ? LIBRARY_FIRST : LIBRARY_ONLY);
        }
      }
      if (added > 0) {
        if (s.top + added > MAX_JUDGED_NAMES) {
          return null;
        }
        // A valid message has a type, so the root has a field to follow the ones put first.
        e.edit(s.rootAt + 1, 0, join(java.util.Arrays.copyOf(root, added)));
      }
      return e.apply(json, offset, length);
    }

    private void edit(int position, int removed, byte[] added) {
      at[edits] = position;
      cut[edits] = removed;
      put[edits] = added;
      edits++;
    }

    private byte[] apply(byte[] json, int offset, int length) {
      // The edits are in distinct fields: sorting them by position puts them in order (at most 4).
      for (int i = 1; i < edits; i++) {
        for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
          swap(j - 1, j);
        }
      }
      int size = length;
      for (int i = 0; i < edits; i++) {
        size += put[i].length - cut[i];
      }
      byte[] out = new byte[size];
      int from = offset;
      int o = 0;
      for (int i = 0; i < edits; i++) {
        int keep = at[i] - from;
        System.arraycopy(json, from, out, o, keep);
        o += keep;
        System.arraycopy(put[i], 0, out, o, put[i].length);
        o += put[i].length;
        from = at[i] + cut[i];
      }
      System.arraycopy(json, from, out, o, offset + length - from);
      return out;
    }

    private void swap(int a, int b) {
      int t = at[a];
      at[a] = at[b];
      at[b] = t;
      t = cut[a];
      cut[a] = cut[b];
      cut[b] = t;
      byte[] x = put[a];
      put[a] = put[b];
      put[b] = x;
    }

    /**
     * Whether the text may hold a lone surrogate, which the codec repairs (so the message is left
     * to it): an escaped surrogate that is not half of an escaped pair. (A surrogate encoded in
     * UTF-8 is refused by Jackson, in the reader's scan as in the codec.) Outside strings a valid
     * JSON text has no backslash, so every backslash here starts an escape.
     */
    static boolean mayHoldLoneSurrogate(byte[] b, int from, int to) {
      for (int i = from; i < to; i++) {
        // Eight bytes at a time while none is a backslash (most messages have none): byte by
        // byte, this check took 8% of an import's samples.
        while (i + 8 <= to && !hasBackslash((long) LONGS.get(b, i))) {
          i += 8;
        }
        if (i >= to) {
          break;
        }
        if (b[i] == '\\') {
          if (i + 1 < to && b[i + 1] == 'u') {
            int u = hex4(b, i + 2, to);
            if (u >= 0xD800 && u <= 0xDBFF) {
              if (i + 7 < to && b[i + 6] == '\\' && b[i + 7] == 'u') {
                int low = hex4(b, i + 8, to);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                  i += 11; // the pair
                  continue;
                }
              }
              return true;
            }
            if (u >= 0xDC00 && u <= 0xDFFF) {
              return true;
            }
            i += 5;
          } else {
            i++; // the escaped character
          }
        }
      }
      return false;
    }

    private static final java.lang.invoke.VarHandle LONGS =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long BACKSLASHES = ONES * '\\';

    /** Whether one of the eight bytes is a backslash (the exact has-a-zero-byte test). */
    private static boolean hasBackslash(long w) {
      long x = w ^ BACKSLASHES;
      return ((x - ONES) & ~x & 0x8080808080808080L) != 0;
    }

    /** The four hex digits at {@code i} as a number, or -1. */
    private static int hex4(byte[] b, int i, int to) {
      if (i + 4 > to) {
        return -1;
      }
      int v = 0;
      for (int k = i; k < i + 4; k++) {
        int d = Character.digit(b[k], 16);
        if (d < 0) {
          return -1;
        }
        v = v << 4 | d;
      }
      return v;
    }

    /**
     * {@code "s"}, escaped as Jackson escapes it; as a root field ({@code name"s",}) when
     * {@code name} is given.
     */
    private static byte[] quote(String s, byte[] name) {
      byte[] body = com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsUTF8(s);
      byte[] quote = {'"'};
      return name == null ? join(quote, body, quote) : join(name, quote, body, quote, COMMA);
    }

    private static byte[] ascii(String s) {
      return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] join(byte[]... parts) {
      int size = 0;
      for (byte[] part : parts) {
        size += part.length;
      }
      byte[] out = new byte[size];
      int o = 0;
      for (byte[] part : parts) {
        System.arraycopy(part, 0, out, o, part.length);
        o += part.length;
      }
      return out;
    }
  }
}
