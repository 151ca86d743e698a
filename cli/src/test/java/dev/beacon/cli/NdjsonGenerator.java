package dev.beacon.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Writes realistic import files: identify and eCommerce track messages over many users, one JSON
 * object per line, as a backfill export would look. Every line has a messageId {@code "m-" + line}
 * unless told otherwise (then the import derives a stable one).
 *
 * <p>For measurements: {@code java -cp cli/target/test-classes dev.beacon.cli.NdjsonGenerator FILE LINES}.
 */
final class NdjsonGenerator {
  private static final String[] EVENTS = {"Products Searched", "Product Viewed", "Product Added", "Cart Viewed",
      "Checkout Started", "Order Completed"};
  private static final String[] CATEGORIES = {"Footwear", "Apparel", "Outdoor", "Books", "Kitchen"};

  private NdjsonGenerator() {}

  public static void main(String[] args) throws IOException {
    long lines = args.length > 1 ? Long.parseLong(args[1].replace("_", "")) : 1_000_000;
    write(Path.of(args[0]), lines, true);
  }

  /** Writes {@code lines} lines; with {@code withIds} line i has messageId {@code "m-" + i} (1-based). */
  static void write(Path file, long lines, boolean withIds) throws IOException {
    SplittableRandom rnd = new SplittableRandom(42);
    long t0 = Instant.parse("2024-01-01T00:00:00Z").toEpochMilli();
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (long i = 1; i <= lines; i++) {
        w.write(line(i, rnd, t0, withIds));
        w.write('\n');
      }
    }
  }

  static String messageId(long line) {
    return "m-" + line;
  }

  private static String line(long i, SplittableRandom rnd, long t0, boolean withIds) {
    int user = rnd.nextInt(50_000);
    String ts = Instant.ofEpochMilli(t0 + i * 997).toString();
    StringBuilder b = new StringBuilder(400);
    b.append('{');
    if (withIds) {
      b.append("\"messageId\":\"").append(messageId(i)).append("\",");
    }
    if (i % 20 == 1) {
      b.append("\"type\":\"identify\",\"userId\":\"user_").append(user).append("\",\"timestamp\":\"").append(ts)
          .append("\",\"traits\":{\"email\":\"user_").append(user).append("@example.com\",\"plan\":\"")
          .append(user % 3 == 0 ? "premium" : "free").append("\",\"createdAt\":\"2023-06-01T12:00:00Z\"}")
          .append(",\"context\":{\"ip\":\"203.0.113.").append(user % 250).append("\"}}");
      return b.toString();
    }
    String event = EVENTS[rnd.nextInt(EVENTS.length)];
    int sku = rnd.nextInt(10_000);
    double price = Math.round((5 + rnd.nextDouble() * 195) * 100) / 100.0;
    int qty = 1 + rnd.nextInt(3);
    b.append("\"type\":\"track\",\"userId\":\"user_").append(user).append("\",\"event\":\"").append(event)
        .append("\",\"timestamp\":\"").append(ts).append("\",\"properties\":{");
    if ("Order Completed".equals(event)) {
      b.append("\"order_id\":\"ORD-").append(i).append("\",\"revenue\":")
          .append(String.format(Locale.ROOT, "%.2f", price * qty)).append(",\"currency\":\"USD\",");
    }
    b.append("\"products\":[{\"product_id\":\"PROD-").append(sku).append("\",\"sku\":\"SKU-").append(sku)
        .append("\",\"category\":\"").append(CATEGORIES[sku % CATEGORIES.length]).append("\",\"price\":")
        .append(price).append(",\"quantity\":").append(qty).append("}]}")
        .append(",\"context\":{\"page\":{\"path\":\"/p/").append(sku).append("\"},\"userAgent\":\"Mozilla/5.0\"}}");
    return b.toString();
  }
}
