package dev.beacon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads newline-delimited JSON a line at a time, holding at most {@code maxLineBytes} of a line:
 * a longer line is read past (to its newline) without being kept and comes back as a refusal, as
 * does a line that is not valid UTF-8. A UTF-8 byte-order mark at the start is skipped; a line
 * may end with CRLF. Not thread-safe.
 */
final class NdjsonLines {
  /**
   * One line: its bytes (valid UTF-8, without the line end or a byte-order mark) and, made only
   * when asked for, its text; or the reason it was refused. The bytes are the reader's buffer,
   * valid until the next {@link #next()}.
   */
  static final class Line {
    private final long number;
    private final byte[] bytes;
    private final int from;
    private final int length;
    private final String problem;
    private String text;

    private Line(long number, byte[] bytes, int from, int length, String problem) {
      this.number = number;
      this.bytes = bytes;
      this.from = from;
      this.length = length;
      this.problem = problem;
    }

    /** The 1-based line number. */
    long number() {
      return number;
    }

    /** The line's text, or null when it was refused (see {@link #problem()}). */
    String text() {
      if (text == null && problem == null) {
        text = new String(bytes, from, length, StandardCharsets.UTF_8);
      }
      return text;
    }

    /** Why the line was refused, or null. */
    String problem() {
      return problem;
    }

    /** The buffer holding the line's bytes (null when refused); valid until the next line is read. */
    byte[] bytes() {
      return bytes;
    }

    /** Where the line starts in {@link #bytes()}. */
    int from() {
      return from;
    }

    /** The line's length in bytes. */
    int length() {
      return length;
    }
  }

  private final InputStream in;
  private final int maxLineBytes;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int end;
  private byte[] line = new byte[256];
  private int length;
  private long number;
  private boolean eof;

  NdjsonLines(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /**
   * Reads the next line.
   *
   * @return the line, or null at the end of the input
   * @throws IOException from the input
   */
  Line next() throws IOException {
    if (eof) {
      return null;
    }
    length = 0;
    long seen = 0;
    boolean sawAny = false;
    while (true) {
      if (pos == end) {
        end = in.read(buf, 0, buf.length);
        pos = 0;
        if (end <= 0) {
          end = 0;
          eof = true;
          if (!sawAny) {
            return null;
          }
          break;
        }
      }
      sawAny = true;
      int start = pos;
      while (pos < end && buf[pos] != '\n') {
        pos++;
      }
      int n = pos - start;
      seen += n;
      if (seen <= maxLineBytes + 1L) { // + 1: room for a CR before the LF
        append(start, n);
      }
      if (pos < end) {
        pos++; // the newline
        break;
      }
    }
    number++;
    int len = length;
    if (len > 0 && line[len - 1] == '\r' && seen <= maxLineBytes + 1L) {
      len--;
      seen--;
    }
    if (seen > maxLineBytes) {
      return new Line(number, null, 0, 0, "the line is " + seen + " bytes; a line may have at most " + maxLineBytes);
    }
    int from = 0;
    if (number == 1 && len >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
      from = 3;
    }
    // Checked on the bytes, without decoding them into a String nobody may need (beacon import
    // hands the bytes to the engine as they are).
    if (!validUtf8(line, from, len)) {
      return new Line(number, null, 0, 0, "the line is not valid UTF-8");
    }
    return new Line(number, line, from, len - from, null);
  }

  /**
   * Whether {@code b[from, to)} is well-formed UTF-8 (Unicode's table 3-7: no overlong forms, no
   * encoded surrogates, nothing above U+10FFFF), as the JDK's decoder judges it with
   * {@code CodingErrorAction.REPORT}.
   */
  static boolean validUtf8(byte[] b, int from, int to) {
    int i = from;
    while (i < to) {
      int c = b[i];
      if (c >= 0) {
        i++;
        continue;
      }
      c &= 0xFF;
      if (c < 0xC2 || c > 0xF4) {
        return false; // a continuation byte, an overlong 2-byte lead, or no lead at all
      }
      if (c < 0xE0) {
        if (i + 1 >= to || !continuation(b[i + 1])) {
          return false;
        }
        i += 2;
        continue;
      }
      int c1 = i + 1 < to ? b[i + 1] & 0xFF : -1;
      int lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
      int hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
      if (c1 < lo || c1 > hi) {
        return false;
      }
      int n = c < 0xF0 ? 3 : 4;
      if (i + n > to) {
        return false;
      }
      for (int k = 2; k < n; k++) {
        if (!continuation(b[i + k])) {
          return false;
        }
      }
      i += n;
    }
    return true;
  }

  private static boolean continuation(byte x) {
    return (x & 0xC0) == 0x80;
  }

  private void append(int start, int n) {
    if (length + n > line.length) {
      line = Arrays.copyOf(line, Math.max(length + n, Math.min(maxLineBytes + 2, line.length * 2)));
    }
    System.arraycopy(buf, start, line, length, n);
    length += n;
  }
}
