package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/spring-boot.md honest: its YAML is the example application's tested application.yml,
 * every file it links exists, and its property table lists every property of the metadata.
 */
class SpringBootDocsTest {
  /** Surefire runs with the module directory as working directory. */
  private static final Path DOC = Path.of("../docs/spring-boot.md");
  private static final Pattern YAML = Pattern.compile("(?m)^```yaml[ \\t]*\\n(.*?)^```", Pattern.DOTALL);
  private static final Pattern LINK = Pattern.compile("\\]\\((\\.\\./[^)#\\s]+)\\)");

  @Test
  void yamlBlocksAreTheExampleApplicationsConfiguration() throws IOException {
    String doc = Files.readString(DOC);
    String yml = normalize(Files.readString(Path.of("src/test/resources/application.yml")));
    Matcher m = YAML.matcher(doc);
    int blocks = 0;
    while (m.find()) {
      blocks++;
      assertThat(yml).as("application.yml contains the block:%n%s", m.group(1)).contains(normalize(m.group(1)));
    }
    assertThat(blocks).isPositive();
  }

  @Test
  void linkedFilesExist() throws IOException {
    Matcher m = LINK.matcher(Files.readString(DOC));
    List<String> missing = new ArrayList<>();
    int links = 0;
    while (m.find()) {
      links++;
      if (!Files.exists(DOC.getParent().resolve(m.group(1)))) {
        missing.add(m.group(1));
      }
    }
    assertThat(links).isGreaterThan(3);
    assertThat(missing).isEmpty();
  }

  @Test
  void thePropertyTableListsEveryProperty() throws IOException {
    String doc = Files.readString(DOC);
    JsonNode metadata = new ObjectMapper()
        .readTree(Path.of("target/classes/META-INF/spring-configuration-metadata.json").toFile());
    List<String> undocumented = new ArrayList<>();
    int properties = 0;
    for (JsonNode property : metadata.get("properties")) {
      properties++;
      String name = property.get("name").asText();
      if (!doc.contains("| `" + name + "` |")) {
        undocumented.add(name);
      }
    }
    assertThat(properties).isGreaterThan(30);
    assertThat(undocumented).isEmpty();
  }

  private static String normalize(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
