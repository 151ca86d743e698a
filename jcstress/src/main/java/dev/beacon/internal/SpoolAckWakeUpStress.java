package dev.beacon.internal;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZZ_Result;

/**
 * The spool reader's sleep against its oldest batch finishing (issue 20): before it parks, the
 * reader raises {@code sleeping} and then reads whether the head ticket is done
 * ({@code SpoolSender.headTicketDone}); the finishing batch marks its ticket done and then reads
 * {@code sleeping} to decide whether to unpark it ({@code SpoolSender.wake}). If the reader parks
 * (it saw nothing to acknowledge), the batch must see the flag and wake it. Before the re-check
 * looked at the ticket, the acknowledgement (and a flush waiting for it) waited out a 1 s cap.
 */
@JCStressTest
@Outcome(id = "true, true", expect = ACCEPTABLE, desc = "the reader saw the batch done, and was woken anyway")
@Outcome(id = "true, false", expect = ACCEPTABLE, desc = "the reader saw the batch done and did not park")
@Outcome(id = "false, true", expect = ACCEPTABLE, desc = "the reader parks and the batch wakes it")
@Outcome(id = "false, false", expect = FORBIDDEN, desc = "the reader parks with a finished batch to acknowledge, and nobody wakes it")
@State
public class SpoolAckWakeUpStress {
  private volatile boolean done; // Ticket.done
  private volatile boolean sleeping;

  /** SpoolSender.run before a park: raise the flag, then re-check the head ticket. */
  @Actor
  public void reader(ZZ_Result r) {
    sleeping = true;
    r.r1 = done;
  }

  /** The batch's onFinish in SpoolSender.cut: mark the ticket done, then wake(). */
  @Actor
  public void batch(ZZ_Result r) {
    done = true;
    r.r2 = sleeping;
  }
}
