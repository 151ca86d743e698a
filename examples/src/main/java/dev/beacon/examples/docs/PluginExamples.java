package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.MessageType;
import dev.beacon.Track;
import dev.beacon.plugins.ContextEnricher;
import dev.beacon.plugins.EventFilter;
import dev.beacon.plugins.PropertyRedactor;
import dev.beacon.spi.Plugin;
import dev.beacon.spi.Transport;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** docs/plugins.md: the built-in plugins and a plugin of your own. */
public final class PluginExamples {
  private PluginExamples() {}

  /**
   * Registers the three built-in plugins, in the order they run.
   *
   * @param transport where messages go (a capture in tests)
   * @return the client
   */
  public static Analytics builtIns(Transport transport) {
    // tag::built-ins[]
    Analytics analytics = Analytics.builder("test-key")
        .transport(transport)
        // 1. drop what should never leave: health checks, screen views, test users
        .plugin(EventFilter.builder()
            .denyEvents("Health Checked")
            .denyTypes(MessageType.SCREEN)
            .denyIf(m -> m.userId() != null && m.userId().startsWith("test-"))
            .build())
        // 2. stamp the app and environment on every message (the caller's values win)
        .plugin(ContextEnricher.builder()
            .appName("shop").appVersion("2.4.1").appBuild("1187")
            .environment("production")
            .build())
        // 3. last, so that nothing added later escapes it: hash or drop personal data
        .plugin(PropertyRedactor.builder()
            .hash("traits.email", "context.traits.email")
            .drop("properties.cardNumber", "context.ip")
            .build())
        .build();
    // end::built-ins[]
    return analytics;
  }

  /**
   * A plugin of your own: adds the user's experiment variant to every track message.
   *
   * @param variantFor the variant of a user id
   * @return the plugin
   */
  public static Plugin experimentVariant(Function<String, String> variantFor) {
    // tag::custom[]
    Plugin experimentVariant = message -> {
      if (!(message instanceof Track) || message.userId() == null) {
        return message;                                   // pass on unchanged
      }
      Track track = (Track) message;
      if (track.properties().containsKey("variant")) {
        return track;                                     // the caller's value wins
      }
      Map<String, Object> properties = new LinkedHashMap<>(track.properties());
      properties.put("variant", variantFor.apply(track.userId()));
      return track.toBuilder().properties(properties).build();   // a changed copy, validated again
    };
    // end::custom[]
    return experimentVariant;
  }
}
