package dev.beacon.bench;

import java.net.URI;

/** The loopback collector both clients send to, seen by the harness as a counter of requests. */
interface Receiver extends AutoCloseable {
  /** The base URI to give a client (each library appends its own path). */
  URI endpoint();

  /** Requests received so far. */
  long requests();

  @Override
  void close();
}
