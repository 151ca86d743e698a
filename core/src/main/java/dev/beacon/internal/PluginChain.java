package dev.beacon.internal;

import dev.beacon.DropReason;
import dev.beacon.Message;
import dev.beacon.Stats;
import dev.beacon.spi.MessageRejectedException;
import dev.beacon.spi.Plugin;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a client's plugins in order on the caller's thread, and counts what they filter out and
 * the errors they throw. Plugins run before the engine sees the message, so these counts live
 * here and are added to the engine's {@link Stats} by {@link #addTo(Stats)}. Not API.
 */
public final class PluginChain {
  private static final Logger LOG = LoggerFactory.getLogger(PluginChain.class);

  private final Plugin[] plugins;
  private final LongAdder filtered = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final RateLimitedLog errorLog = new RateLimitedLog(LOG, 10_000_000_000L);

  /**
   * Creates the chain.
   *
   * @param plugins the plugins, in the order they run
   */
  public PluginChain(List<Plugin> plugins) {
    this.plugins = plugins.toArray(new Plugin[0]);
  }

  /**
   * Runs every plugin. A plugin that throws (anything but {@link MessageRejectedException} or a
   * {@link VirtualMachineError}) is counted and logged, and the message goes on as it was.
   *
   * @param message a built message
   * @return what the last plugin returned, or {@code null} when one dropped it (counted as
   *     {@link DropReason#FILTERED})
   * @throws MessageRejectedException when a plugin refused the call on purpose
   */
  public Message apply(Message message) {
    Message m = message;
    for (Plugin p : plugins) {
      Message out;
      try {
        out = p.apply(m);
      } catch (MessageRejectedException | VirtualMachineError rethrown) {
        throw rethrown;
      } catch (RuntimeException | Error e) {
        errors.increment();
        if (errorLog.due()) {
          errorLog.log("Beacon plugin {} threw on a {} message; the message was kept as it was. See"
              + " stats().pluginErrors()", p.name(), m.type().wireName(), e);
        }
        continue;
      }
      if (out == null) {
        filtered.increment();
        return null;
      }
      m = out;
    }
    return m;
  }

  /**
   * Adds this chain's counts to a snapshot of the engine's.
   *
   * @param engine the engine's snapshot
   * @return the snapshot with {@link DropReason#FILTERED} and {@code pluginErrors} set
   */
  public Stats addTo(Stats engine) {
    long f = filtered.sum();
    EnumMap<DropReason, Long> drops = new EnumMap<>(DropReason.class);
    drops.putAll(engine.droppedByReason());
    drops.merge(DropReason.FILTERED, f, Long::sum);
    return new Stats(engine.accepted(), engine.recovered(), engine.delivered(), engine.failed(),
        engine.notSent(), engine.pending(), engine.queued(), engine.inFlight(), engine.dropped() + f, drops,
        engine.failedByReason(), engine.batches(), engine.requests(), engine.retries(), engine.queuedBytes(),
        engine.callbackErrors(), engine.spooled(), engine.spoolDegraded(), engine.pluginErrors() + errors.sum(),
        engine.spoolSyncTimeouts(), engine.spoolLockBypasses());
  }
}
