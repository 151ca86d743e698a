package dev.beacon.internal;

import dev.beacon.ErrorHandler;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.spi.Spool;
import dev.beacon.spi.Transport;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;

/**
 * Validated settings of one client, built by {@code Analytics.Builder}. Not API.
 *
 * @param ringSize ring capacity, a power of two
 * @param maxQueueBytes bound on the estimated bytes of pending messages
 * @param flushAt batch size that triggers a send when a request slot is free
 * @param maxBatchMessages hard cap of messages per batch
 * @param maxBatchBytes hard cap of a request body in bytes, envelope included
 * @param flushInterval longest time a message waits in a partial batch
 * @param queueFullPolicy what calls do when the ring is full
 * @param retryPolicy retries
 * @param errorHandler the user's callback, or null
 * @param threadFactory creates every Beacon thread
 * @param transportFactory creates the transport with the engine's thread factory; null when
 *     sending is off
 * @param send false to process and count without sending
 * @param debug log batches and retries at INFO
 * @param syncMode deliver each call before it returns
 * @param flushTimeout the wait of {@code flush()} and of sync-mode calls
 * @param shutdownTimeout the wait of {@code close()}
 * @param spool the opened spool, or null for memory only
 * @param spoolDurability when a call returns with a spool
 * @param deliveryObserver told about every send attempt, or null
 * @param deliveryCallback told about the messages of each delivered batch, or null
 */
public record EngineConfig(
    int ringSize,
    long maxQueueBytes,
    int flushAt,
    int maxBatchMessages,
    int maxBatchBytes,
    Duration flushInterval,
    QueueFullPolicy queueFullPolicy,
    RetryPolicy retryPolicy,
    ErrorHandler errorHandler,
    ThreadFactory threadFactory,
    Function<ThreadFactory, Transport> transportFactory,
    boolean send,
    boolean debug,
    boolean syncMode,
    Duration flushTimeout,
    Duration shutdownTimeout,
    Spool spool,
    SpoolDurability spoolDurability,
    dev.beacon.DeliveryObserver deliveryObserver,
    dev.beacon.DeliveryCallback deliveryCallback) {}
