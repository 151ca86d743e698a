package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The IDE metadata the starter ships is on the class path of the Boot line under test, with the
 * properties, their descriptions and the hints (runs on 3.5 and, in boot4-tests, on 4.0 and 4.1).
 */
class ConfigurationMetadataTest {
  @Test
  void theMetadataDescribesEveryBeaconPropertyGroup() throws IOException {
    JsonNode metadata;
    try (InputStream in = getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    Map<String, JsonNode> properties = new HashMap<>();
    metadata.get("properties").forEach(p -> properties.put(p.get("name").asText(), p));
    assertThat(properties).containsKeys("beacon.write-key", "beacon.endpoint", "beacon.http.gzip-level",
        "beacon.spool.durability", "beacon.tracking-plan.location", "beacon.tracking-plan.mode",
        "beacon.tracking-plan.allow-unplanned", "management.health.beacon.enabled");
    assertThat(properties.get("beacon.tracking-plan.location").get("description").asText())
        .contains("Spring resource location");
    assertThat(properties.get("beacon.tracking-plan.mode").get("defaultValue").asText()).isEqualTo("warn");
    assertThat(metadata.get("hints").findValuesAsText("name")).contains("beacon.region", "beacon.spool.durability");
  }
}
