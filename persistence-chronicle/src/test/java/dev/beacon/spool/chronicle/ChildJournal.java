package dev.beacon.spool.chronicle;

import dev.beacon.SpoolDurability;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * A child JVM the crash tests kill with SIGKILL. {@code append DIR}: appends numbered records in
 * groups of 10, printing each committed number. {@code torn DIR N}: appends records 0..N-1, then
 * starts record N, writes half of it, prints TORN and waits to be killed inside the document.
 */
public final class ChildJournal {
  private ChildJournal() {}

  public static void main(String[] args) throws Exception {
    ChronicleProperties.apply();
    Path dir = Path.of(args[1]);
    if (args[0].equals("append")) {
      try (ChronicleSpool spool = ChronicleSpool.open(dir, 1L << 30, SpoolDurability.PROCESS_CRASH,
          ChronicleSpool.Settings.DEFAULT)) {
        System.out.println("READY " + spool.recoveredRecords());
        int start = Integer.parseInt(args[2]);
        for (int i = start; ; i++) {
          byte[] b = Journals.record(i).getBytes(StandardCharsets.UTF_8);
          spool.append(b, 0, b.length);
          if (i % 10 == 9) {
            spool.commit();
            System.out.println(i);
          }
        }
      }
    }
    int n = Integer.parseInt(args[2]);
    try (ChronicleSpool spool = ChronicleSpool.open(dir, 1L << 30, SpoolDurability.PROCESS_CRASH,
        ChronicleSpool.Settings.DEFAULT)) {
      Journals.append(spool, 0, n);
    }
    try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(dir)
        .rollCycle(ChronicleSpool.Settings.DEFAULT.rollCycle)
        .blockSize(ChronicleSpool.Settings.DEFAULT.blockSize).build()) {
      ExcerptAppender a = q.createAppender();
      DocumentContext dc = a.writingDocument();
      Bytes<?> out = dc.wire().bytes();
      byte[] b = Journals.record(n).getBytes(StandardCharsets.UTF_8);
      out.writeInt(b.length);
      out.writeInt(0);
      out.write(b, 0, b.length / 2);
      System.out.println("TORN");
      Thread.sleep(60_000);
    }
  }
}
