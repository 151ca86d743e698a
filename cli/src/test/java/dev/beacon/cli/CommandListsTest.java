package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every place that lists the tool's commands names all of them: README's {@code --help} sentence
 * and modules table, the archive's README, docs/cli.md's contents and sections, and the tool's own
 * description. A new command that one of them misses fails here.
 */
class CommandListsTest {
  /** Surefire runs with the module directory as working directory. */
  private static final Path ROOT = Path.of("..");
  private static Set<String> commands;

  @BeforeAll
  static void readTheCommands() {
    commands = new TreeSet<>(new CommandLine(BeaconCli.class).getSubcommands().keySet());
    commands.remove("help");
    assertThat(commands).contains("import", "demo", "collect", "send", "validate", "relay");
  }

  private static String read(String path) throws IOException {
    return Files.readString(ROOT.resolve(path));
  }

  private static String paragraphWith(String text, String marker) {
    int at = text.indexOf(marker);
    assertThat(at).as("'%s' found", marker).isNotNegative();
    int end = text.indexOf("\n\n", at);
    return text.substring(at, end < 0 ? text.length() : end);
  }

  @Test
  void readmesHelpSentenceNamesEveryCommand() throws IOException {
    String sentence = paragraphWith(read("README.md"), "`./bin/beacon --help` lists the commands");
    assertThat(commands).allSatisfy(c -> assertThat(sentence).contains("`" + c + "`"));
  }

  @Test
  void readmesModulesTableNamesEveryCommand() throws IOException {
    String row = read("README.md").lines().filter(l -> l.startsWith("| `beacon-cli` |")).findFirst().orElseThrow();
    assertThat(commands).allSatisfy(c -> assertThat(row).contains("`" + c + "`"));
  }

  @Test
  void theArchivesReadmeNamesEveryCommandAndLinksDocsItShips() throws IOException {
    String readme = read("cli/src/main/dist/README.md");
    String intro = paragraphWith(readme, "`beacon` sends");
    assertThat(commands).allSatisfy(c -> assertThat(intro).contains("`" + c + "`"));
    // The archive ships docs/ (cli/src/assembly/dist.xml): every docs/ link must name a real page.
    List<String> links = readme.lines().flatMap(l -> java.util.regex.Pattern.compile("\\]\\((docs/[^)#]+)")
        .matcher(l).results().map(m -> m.group(1))).toList();
    assertThat(links).contains("docs/cli.md");
    assertThat(links).allSatisfy(l -> assertThat(ROOT.resolve(l)).isRegularFile());
    assertThat(read("cli/src/assembly/dist.xml")).contains("<directory>${project.basedir}/../docs</directory>");
  }

  @Test
  void cliMdHasASectionAndAContentsEntryForEveryCommand() throws IOException {
    String cli = read("docs/cli.md");
    List<String> contents = cli.lines().filter(l -> l.startsWith("- [")).toList();
    List<String> sections = cli.lines().filter(l -> l.startsWith("## ")).toList();
    assertThat(commands).allSatisfy(c -> {
      assertThat(sections).anySatisfy(s -> assertThat(s).contains("`beacon " + c));
      assertThat(contents).anySatisfy(s -> assertThat(s).contains("`beacon " + c));
    });
  }

  @Test
  void theToolsDescriptionCoversEveryCommandsPurpose() {
    String description = String.join(" ", new CommandLine(BeaconCli.class).getCommandSpec().usageMessage().description());
    assertThat(description).contains("collector", "tracking plan", "Kafka", "files");
  }
}
