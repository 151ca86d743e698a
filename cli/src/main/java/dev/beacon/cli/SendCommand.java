package dev.beacon.cli;

import dev.beacon.Alias;
import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.MessageType;
import dev.beacon.Page;
import dev.beacon.RetryPolicy;
import dev.beacon.Screen;
import dev.beacon.Track;
import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.MessageSerializer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code beacon send TYPE ...}: one call from the shell, delivered before the command exits. */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = {"Send one message and wait until it is delivered (for scripts).",
        "Example: beacon send track --user-id user_123 --event 'Order Completed'"
            + " --properties '{\"revenue\": 99.99}'"})
final class SendCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "TYPE", description = "identify, track, page, screen, group or alias")
  String type;

  @Option(names = "--user-id", paramLabel = "ID") String userId;
  @Option(names = "--anonymous-id", paramLabel = "ID") String anonymousId;
  @Option(names = "--event", paramLabel = "NAME", description = "track: the event name") String event;
  @Option(names = "--name", paramLabel = "NAME", description = "page/screen: the name") String name;
  @Option(names = "--group-id", paramLabel = "ID", description = "group: the group id") String groupId;
  @Option(names = "--previous-id", paramLabel = "ID", description = "alias: the previous id") String previousId;
  @Option(names = "--message-id", paramLabel = "ID") String messageId;
  @Option(names = "--timestamp", paramLabel = "ISO-8601", description = "when it happened (backfill)") String timestamp;
  @Option(names = {"--properties", "--traits"}, paramLabel = "JSON",
      description = "a JSON object: properties (track/page/screen) or traits (identify/group)") String payload;
  @Option(names = "--context", paramLabel = "JSON", description = "a JSON object") String context;
  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT10S",
      description = "how long to try, retries included, before giving up (default: ${DEFAULT-VALUE})")
  Duration timeout;
  @Option(names = "--dry-run", description = "validate and print the message's JSON, send nothing") boolean dryRun;

  @Override
  public Integer call() {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CliException(ExitCodes.USAGE, "--timeout must be positive but was " + timeout);
    }
    Message m;
    try {
      m = build();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
    }
    if (dryRun) {
      spec.commandLine().getOut().println(new String(MessageSerializer.toBytes(m), StandardCharsets.UTF_8));
      return ExitCodes.OK;
    }
    String writeKey = client.writeKey();
    if (!client.debug) {
      quietEngineLog();
    }
    // Retries stop once the next one would end after --timeout, and each request is bounded by it,
    // so the engine itself reports the last failure; flushTimeout is the backstop for an attempt in
    // flight. The failure is this command's output: nothing else is logged or called back.
    RetryPolicy retries = RetryPolicy.builder().totalDeadline(timeout).build();
    try (Analytics analytics = client.builder(writeKey, timeout).syncMode(true).flushTimeout(timeout)
        .retryPolicy(retries).onError((error, messages) -> { }).shutdownTimeout(Duration.ZERO).build()) {
      analytics.enqueue(m);
      spec.commandLine().getOut().println("delivered " + m.type().wireName() + " " + m.messageId());
      return ExitCodes.OK;
    } catch (DeliveryException e) {
      throw new CliException(ExitCodes.NOT_DELIVERED, notDelivered(e, client.endpointOrDefault(), timeout), e);
    } catch (IllegalStateException e) {
      throw new CliException(ExitCodes.FATAL, e.getMessage(), e);
    }
  }

  /**
   * One line for the shell: what happened, never the engine's vocabulary about callbacks. The
   * engine's message reads "REASON (HTTP n): k message(s) not delivered: detail".
   */
  static String notDelivered(DeliveryException e, URI endpoint, Duration timeout) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    int at = msg.indexOf("not delivered: ");
    String detail = at < 0 ? "" : msg.substring(at + "not delivered: ".length());
    int last = detail.indexOf("; last: ");
    String prefix = "not delivered to " + endpoint + ": ";
    switch (e.reason()) {
      case DEADLINE_EXCEEDED:
        return prefix + (last >= 0
            ? "gave up within --timeout " + timeout + ", last attempt: " + detail.substring(last + 8)
            : "no answer within --timeout " + timeout);
      case RETRIES_EXHAUSTED:
        return prefix + "gave up after retries, last attempt: " + (last >= 0 ? detail.substring(last + 8) : detail);
      case UNAUTHORIZED:
        return prefix + "the write key was refused: UNAUTHORIZED (HTTP " + e.status() + ")";
      case SHUTDOWN:
        return prefix + "no answer within --timeout " + timeout;
      default:
        return prefix + e.reason() + (e.status() != 0 ? " (HTTP " + e.status() + ")" : "")
            + (detail.isEmpty() ? "" : ": " + detail);
    }
  }

  /**
   * The failure is printed as this command's result: the engine's retry warnings would only repeat
   * it. slf4j-simple reads a logger's level when the logger is created, and the engine's loggers are
   * created when its classes initialize, after this point. A level the user chose is kept.
   */
  private static void quietEngineLog() {
    if (System.getProperty(ENGINE_LOG_LEVEL) == null) {
      System.setProperty(ENGINE_LOG_LEVEL, "error");
    }
  }

  private static final String ENGINE_LOG_LEVEL = "org.slf4j.simpleLogger.log.dev.beacon";

  private Message build() {
    Map<String, Object> p = json(payload, "--properties");
    Message.Builder<?, ?> b;
    switch (MessageType.fromWireName(type)) {
      case TRACK:
        b = Track.builder(event).properties(p);
        break;
      case IDENTIFY:
        b = Identify.builder().traits(p);
        break;
      case PAGE:
        b = Page.builder().name(name).properties(p);
        break;
      case SCREEN:
        b = Screen.builder().name(name).properties(p);
        break;
      case GROUP:
        b = Group.builder(groupId).traits(p);
        break;
      case ALIAS:
      default:
        b = Alias.builder(previousId);
        break;
    }
    b.userId(userId).anonymousId(anonymousId).messageId(messageId).context(json(context, "--context"));
    if (timestamp != null) {
      b.timestamp(MessageCodec.parseTimestamp(timestamp));
    }
    return b.build();
  }

  private static Map<String, Object> json(String text, String option) {
    if (text == null) {
      return null;
    }
    try {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      return MessageCodec.parseObject(bytes, 0, bytes.length);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " is not a JSON object: " + e.getMessage());
    }
  }
}
