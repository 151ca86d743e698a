package dev.beacon.bench;

import java.net.URI;

/** The loopback collector both clients send to, seen by the harness as a counter of events. */
interface Receiver extends AutoCloseable {
  /** The base URI to give a client (each library appends its own path). */
  URI endpoint();

  /** Events received so far (messages, not requests). */
  long events();

  /** Requests received so far. */
  long requests();

  @Override
  void close();
}
