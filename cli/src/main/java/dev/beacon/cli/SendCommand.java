package dev.beacon.cli;

import dev.beacon.Alias;
import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.Group;
import dev.beacon.Identify;
import dev.beacon.Message;
import dev.beacon.MessageType;
import dev.beacon.Page;
import dev.beacon.Screen;
import dev.beacon.Track;
import dev.beacon.internal.MessageCodec;
import dev.beacon.internal.MessageSerializer;
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
  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "how long to wait for delivery (default: ${DEFAULT-VALUE})") Duration timeout;
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
    try (Analytics analytics = client.builder(client.writeKey()).syncMode(true).flushTimeout(timeout)
        .shutdownTimeout(Duration.ofSeconds(1)).build()) {
      analytics.enqueue(m);
      spec.commandLine().getOut().println("delivered " + m.type().wireName() + " " + m.messageId());
      return ExitCodes.OK;
    } catch (DeliveryException e) {
      throw new CliException(ExitCodes.NOT_DELIVERED, "not delivered: " + e.getMessage(), e);
    } catch (IllegalStateException e) {
      throw new CliException(ExitCodes.FATAL, e.getMessage(), e);
    }
  }

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
