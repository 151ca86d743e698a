package dev.beacon.spool.chronicle;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Checks, before Chronicle loads, that the JVM grants Chronicle the access to JDK internals it
 * needs on Java 17+, so that a missing flag is named at open instead of surfacing as an {@code
 * IllegalAccessException} deep in Chronicle (or a misleading "read-only chronicle"). Not API.
 *
 * <p>The check asks the JDK itself ({@link Module#isOpen(String, Module)} and {@link
 * Module#isExported(String, Module)}) whether each package is open or exported to the module that
 * holds Chronicle's classes, so it reflects the command line, {@code JAVA_TOOL_OPTIONS}, {@code
 * JDK_JAVA_OPTIONS} and the {@code Add-Opens}/{@code Add-Exports} of an executable jar alike.
 */
final class JvmFlags {
  /** One {@code --add-opens} or {@code --add-exports} grant to the unnamed module. */
  record Grant(String module, String pkg, boolean open) {
    /** The command-line flag granting this to {@code target} (ALL-UNNAMED on the class path). */
    String flag(Module target) {
      return (open ? "--add-opens=" : "--add-exports=") + module + "/" + pkg + "="
          + (target.isNamed() ? target.getName() : "ALL-UNNAMED");
    }

    boolean grantedTo(Module target) {
      Optional<Module> m = ModuleLayer.boot().findModule(module);
      // A JDK image without the module (jlink) cannot grant it; Chronicle then does without.
      return m.isEmpty() || (open ? m.get().isOpen(pkg, target) : m.get().isExported(pkg, target));
    }
  }

  /**
   * Without these Chronicle Queue cannot write (checked on JDK 17 and 25): {@code java.lang.reflect}
   * for its field access, {@code sun.nio.ch} for memory-mapping (without it the failure reads
   * "Can't append to a read-only chronicle"), {@code jdk.internal.ref} to unmap files promptly.
   */
  static final List<Grant> REQUIRED = List.of(
      new Grant("java.base", "java.lang.reflect", true),
      new Grant("java.base", "sun.nio.ch", false),
      new Grant("java.base", "jdk.internal.ref", false));

  /**
   * Chronicle's own recommended set for Java 17+ (its root pom's {@code java17} profile), without
   * the {@code jdk.compiler} grants, which only its run-time code generation uses. The docs and the
   * error message give this whole set, so that a user adds one line once.
   */
  static final List<Grant> RECOMMENDED = List.of(
      new Grant("java.base", "jdk.internal.misc", false),
      new Grant("java.base", "jdk.internal.ref", false),
      new Grant("java.base", "jdk.internal.util", false),
      new Grant("java.base", "sun.nio.ch", false),
      new Grant("jdk.unsupported", "sun.misc", false),
      new Grant("java.base", "java.lang", true),
      new Grant("java.base", "java.lang.reflect", true),
      new Grant("java.base", "java.io", true),
      new Grant("java.base", "java.util", true));

  private JvmFlags() {}

  /**
   * Returns the grants of {@code grants} the JVM does not give to {@code target}.
   *
   * @param grants what to check
   * @param target the module holding Chronicle's classes
   * @return the missing ones, in order
   */
  static List<Grant> missing(List<Grant> grants, Module target) {
    List<Grant> out = new ArrayList<>();
    for (Grant g : grants) {
      if (!g.grantedTo(target)) {
        out.add(g);
      }
    }
    return out;
  }

  /**
   * Throws when Chronicle, in {@code target}, lacks a grant it cannot work without.
   *
   * @param target the module holding Chronicle's classes
   * @throws MissingJvmFlagsException naming every missing required flag and the full set to add
   */
  static void require(Module target) throws MissingJvmFlagsException {
    List<Grant> missing = missing(REQUIRED, target);
    if (missing.isEmpty()) {
      return;
    }
    String where = target.isNamed() ? "module " + target.getName() : "the class path";
    List<String> missingFlags = missing.stream().map(g -> g.flag(target)).toList();
    String allFlags = String.join(" ", missing(RECOMMENDED, target).stream().map(g -> g.flag(target)).toList());
    throw new MissingJvmFlagsException(missingFlags,
        "the spool's Chronicle Queue (on " + where + ") needs JVM flags this JVM was started without: "
            + String.join(" ", missingFlags) + ". Add to the java command line (or JAVA_TOOL_OPTIONS, Surefire's argLine;"
            + " Add-Opens/Add-Exports in an executable jar's manifest): " + allFlags
            + (Runtime.version().feature() >= 24
                ? " --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow" : "")
            + ". See docs/spool.md, \"JVM flags\".");
  }
}
