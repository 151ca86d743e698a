package dev.beacon.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads newline-delimited JSON a line at a time, holding at most {@code maxLineBytes} of a line:
 * a longer line is read past (to its newline) without being kept and comes back as a refusal, as
 * does a line that is not valid UTF-8. A UTF-8 byte-order mark at the start is skipped; a line
 * may end with CRLF. Not thread-safe.
 */
final class NdjsonLines {
  /** One line: its text, or the reason it was refused. */
  record Line(long number, String text, String problem) {}

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
      return new Line(number, null, "the line is " + seen + " bytes; a line may have at most " + maxLineBytes);
    }
    int from = 0;
    if (number == 1 && len >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
      from = 3;
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line, from, len - from)).toString();
      return new Line(number, text, null);
    } catch (CharacterCodingException e) {
      return new Line(number, null, "the line is not valid UTF-8");
    }
  }

  private void append(int start, int n) {
    if (length + n > line.length) {
      line = Arrays.copyOf(line, Math.max(length + n, Math.min(maxLineBytes + 2, line.length * 2)));
    }
    System.arraycopy(buf, start, line, length, n);
    length += n;
  }
}
