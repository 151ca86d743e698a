package dev.beacon.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.beacon.internal.WireRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write keys the gateway accepts, read from a JSON file
 * ({@code {"sources":[{"writeKey":"…","name":"web","ratePerSecond":500}]}}) and read again by
 * {@link #reloadIfChanged()} when its modification time or size changes. A new file that cannot be
 * read or is invalid keeps the keys in use and logs why (never a key). Thread-safe: lookups read an
 * immutable snapshot.
 */
final class WriteKeys {
  /** The largest keys file read: 1 MB. */
  static final long MAX_FILE_BYTES = 1024 * 1024;
  /** The longest write key accepted: 256 characters. */
  static final int MAX_KEY_CHARS = 256;
  private static final Logger LOG = LoggerFactory.getLogger(WriteKeys.class);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One source: its name (what is logged and recorded) and its rate limit (null: none). */
  static final class Source {
    final String name;
    final TokenBucket bucket;

    Source(String name, TokenBucket bucket) {
      this.name = name;
      this.bucket = bucket;
    }

    @Override
    public String toString() {
      return "Source[" + name + "]";
    }
  }

  private final Path file;
  private final LongSupplier nanoClock;
  private volatile Map<String, Source> byKey;
  private volatile long refusedReloads;
  private FileTime loadedMtime;
  private long loadedSize = -1;

  private WriteKeys(Path file, LongSupplier nanoClock) {
    this.file = file;
    this.nanoClock = nanoClock;
  }

  /**
   * Reads the file once.
   *
   * @throws IllegalArgumentException naming the file and the problem when it cannot be used
   */
  static WriteKeys load(Path file, LongSupplier nanoClock) {
    WriteKeys k = new WriteKeys(file, nanoClock);
    try {
      k.stamp();
      k.byKey = k.parse(Map.of());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the keys file " + file + ": " + e.getMessage(), e);
    }
    return k;
  }

  /** The source of a key, or null when unknown. */
  Source lookup(String key) {
    return key == null || key.length() > MAX_KEY_CHARS ? null : byKey.get(key);
  }

  /** How many changed files were refused (their keys not taken) so far. */
  long refusedReloads() {
    return refusedReloads;
  }

  /** How many sources are configured. */
  int size() {
    return byKey.size();
  }

  /**
   * Reads the file again when it changed; an invalid new file keeps the keys in use and logs why.
   *
   * @return true when new keys were loaded
   */
  synchronized boolean reloadIfChanged() {
    FileTime mtime;
    long size;
    try {
      mtime = Files.getLastModifiedTime(file);
      size = Files.size(file);
    } catch (IOException e) {
      if (loadedSize != -2) {
        LOG.warn("cannot read the keys file {} ({}); keeping the {} source(s) in use", file, e.toString(), size());
        loadedSize = -2;
      }
      return false;
    }
    if (mtime.equals(loadedMtime) && size == loadedSize) {
      return false;
    }
    loadedMtime = mtime;
    loadedSize = size;
    try {
      byKey = parse(byKey);
      LOG.info("keys file {} reloaded: {} source(s)", file, size());
      return true;
    } catch (IOException | IllegalArgumentException e) {
      refusedReloads++;
      LOG.error("the keys file {} changed but cannot be used ({}); keeping the {} source(s) in use", file,
          e.getMessage(), size());
      return false;
    }
  }

  private void stamp() throws IOException {
    loadedMtime = Files.getLastModifiedTime(file);
    loadedSize = Files.size(file);
  }

  /** Parses the file; a source whose key and rate did not change keeps its bucket. */
  private Map<String, Source> parse(Map<String, Source> previous) throws IOException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new IllegalArgumentException("the keys file is larger than " + MAX_FILE_BYTES + " bytes");
    }
    byte[] bytes = Files.readAllBytes(file);
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (IOException e) {
      // Jackson's message may quote the file's text, keys included: say where, not what.
      throw new IllegalArgumentException("the keys file is not valid JSON (near line "
          + lineOf(e) + ")");
    }
    JsonNode sources = root == null ? null : root.get("sources");
    if (sources == null || !sources.isArray()) {
      throw new IllegalArgumentException("the keys file needs {\"sources\":[{\"writeKey\":...,\"name\":...}]}");
    }
    Map<String, Source> out = new HashMap<>();
    for (int i = 0; i < sources.size(); i++) {
      JsonNode s = sources.get(i);
      String where = "sources[" + i + "]";
      JsonNode key = s.get("writeKey");
      JsonNode name = s.get("name");
      JsonNode rate = s.get("ratePerSecond");
      if (key == null || !key.isTextual() || key.asText().isBlank() || key.asText().length() > MAX_KEY_CHARS) {
        throw new IllegalArgumentException(where + ".writeKey must be a non-blank string of at most "
            + MAX_KEY_CHARS + " characters");
      }
      if (name == null || !name.isTextual() || name.asText().isBlank() || name.asText().length() > 100
          || !WireRules.printable(name.asText(), 100).equals(name.asText())) {
        throw new IllegalArgumentException(where + ".name must be a non-blank printable string of at most 100 characters");
      }
      Double perSecond = null;
      if (rate != null && !rate.isNull()) {
        if (!rate.isNumber() || !(rate.asDouble() > 0) || Double.isInfinite(rate.asDouble())) {
          throw new IllegalArgumentException(where + ".ratePerSecond must be a positive number (absent: no limit)");
        }
        perSecond = rate.asDouble();
      }
      String k = key.asText();
      if (out.containsKey(k)) {
        throw new IllegalArgumentException(where + " repeats the writeKey of an earlier source");
      }
      Source old = previous.get(k);
      TokenBucket bucket;
      if (perSecond == null) {
        bucket = null;
      } else if (old != null && old.bucket != null && old.bucket.rate() == perSecond) {
        bucket = old.bucket;
      } else {
        bucket = new TokenBucket(perSecond, nanoClock.getAsLong());
      }
      out.put(k, new Source(name.asText(), bucket));
    }
    return Map.copyOf(out);
  }

  private static String lineOf(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
      com.fasterxml.jackson.core.JsonLocation l = ((com.fasterxml.jackson.core.JsonProcessingException) e).getLocation();
      if (l != null) {
        return String.valueOf(l.getLineNr());
      }
    }
    return "?";
  }

  @Override
  public String toString() {
    return "WriteKeys[" + file + ", " + size() + " source(s)]";
  }

}
