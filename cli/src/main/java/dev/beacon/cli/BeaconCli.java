package dev.beacon.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code beacon}: Beacon's command-line tool. Exit codes are documented in {@link ExitCodes}.
 */
@Command(name = "beacon", mixinStandardHelpOptions = true, versionProvider = BeaconCli.Version.class,
    description = "Send Segment events from files and scripts, run a local Segment-compatible collector,"
        + " check files against a tracking plan, drain a Kafka topic to the API, receive events from any Segment SDK,"
        + " or watch Beacon's engine at work.",
    subcommands = {ImportCommand.class, DemoCommand.class, CollectCommand.class, SendCommand.class,
        ValidateCommand.class, RelayCommand.class, GatewayCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success: every valid message delivered (or validated with --dry-run)",
        "1:a fatal error: unreadable file, spool directory in use, port taken",
        "2:usage error: bad option or value, or no write key",
        "3:some input lines were invalid and skipped; the rest were delivered (validate: violations found)",
        "4:some messages were not delivered: refused by the API, unreachable endpoint, still pending"
            + " at --timeout, or left in the spool for the next run (gateway: not settled by --drain-timeout)",
        "5:relay: stopped on a fatal error (dead-letter topic missing or refused, Kafka refused the consumer,"
            + " a relay thread died)"})
public final class BeaconCli {
  private BeaconCli() {}

  /**
   * Runs the tool.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    // The JDK HTTP server behind `collect` and `demo` otherwise waits ~40 ms per response (Nagle).
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Runs the tool without exiting, for tests and embedding.
   *
   * @param args the command line
   * @param out standard output
   * @param err standard error
   * @return the exit code
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    return cl.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(BeaconCli.class);
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean verbose = parseResult.hasMatchedOption("--verbose")
          || parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose");
      if (e instanceof CliException) {
        commandLine.getErr().println("beacon: " + e.getMessage());
        if (verbose && e.getCause() != null) {
          e.getCause().printStackTrace(commandLine.getErr());
        }
        return ((CliException) e).exitCode();
      }
      commandLine.getErr().println("beacon: " + e);
      if (verbose) {
        e.printStackTrace(commandLine.getErr());
      } else {
        commandLine.getErr().println("(run with --verbose for the stack trace)");
      }
      return ExitCodes.FATAL;
    });
    return cl;
  }

  /** Reads the version from the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"beacon " + dev.beacon.internal.Library.VERSION};
    }
  }
}
