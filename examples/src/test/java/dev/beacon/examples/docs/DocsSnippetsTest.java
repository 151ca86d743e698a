package dev.beacon.examples.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the docs honest: every {@code ```java} block in {@code docs/*.md} must appear, up to
 * whitespace, in a compiled source under {@code examples/src/main/java}, and in the very file
 * the line above the block names.
 */
class DocsSnippetsTest {
  /** Surefire runs with the module directory as working directory. */
  private static final Path DOCS = Path.of("../docs");
  private static final Path SOURCES = Path.of("src/main/java");
  private static final Pattern FENCE = Pattern.compile("(?m)^```java[ \\t]*\\n(.*?)^```", Pattern.DOTALL);
  private static final Pattern SOURCE_LINK = Pattern.compile("\\(([^)\\s]*examples/src/main/java/[^)\\s]+\\.java)\\)");

  record Snippet(Path doc, int line, String code, String namedSource) {}

  @Test
  void everyJavaBlockInTheDocsIsCompiledCode() throws IOException {
    Map<Path, String> sources = readSources();
    List<Snippet> snippets = snippets();
    assertThat(snippets).as("java blocks found in %s", DOCS.toAbsolutePath().normalize()).hasSizeGreaterThan(10);

    List<String> problems = new ArrayList<>();
    for (Snippet s : snippets) {
      String where = s.doc().getFileName() + ":" + s.line();
      if (s.namedSource() == null) {
        problems.add(where + ": the line above the block must link the example file it comes from");
        continue;
      }
      Path named = s.doc().getParent().resolve(s.namedSource()).normalize();
      String text = sources.get(named);
      if (text == null) {
        problems.add(where + ": links " + s.namedSource() + ", which is not a source under " + SOURCES);
      } else if (!text.contains(normalize(s.code()))) {
        problems.add(where + ": block does not appear in " + s.namedSource() + ":\n" + s.code());
      }
    }
    assertThat(problems).as("docs snippets out of sync with the compiled examples").isEmpty();
  }

  private static Map<Path, String> readSources() throws IOException {
    Map<Path, String> sources = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      files.filter(p -> p.toString().endsWith(".java")).forEach(p ->
          sources.put(p.toAbsolutePath().normalize(), normalize(read(p))));
    }
    assertThat(sources).isNotEmpty();
    return sources;
  }

  private static List<Snippet> snippets() throws IOException {
    List<Snippet> out = new ArrayList<>();
    assertThat(DOCS).isDirectory();
    try (Stream<Path> docs = Files.list(DOCS)) {
      for (Path doc : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
        String md = read(doc);
        Matcher m = FENCE.matcher(md);
        while (m.find()) {
          int line = (int) md.substring(0, m.start()).lines().count() + 1;
          out.add(new Snippet(doc.toAbsolutePath().normalize(), line, m.group(1), sourceNamedBefore(md, m.start())));
        }
      }
    }
    return out;
  }

  /** The last example file linked in the non-blank line right above a fence, or null. */
  private static String sourceNamedBefore(String md, int fenceStart) {
    List<String> before = md.substring(0, fenceStart).lines().filter(l -> !l.isBlank()).toList();
    if (before.isEmpty()) {
      return null;
    }
    Matcher m = SOURCE_LINK.matcher(before.get(before.size() - 1));
    String last = null;
    while (m.find()) {
      last = m.group(1);
    }
    return last;
  }

  static String normalize(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
