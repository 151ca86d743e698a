package dev.beacon.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {
  private final List<String> granted = new ArrayList<>();

  private ByteBudget.Waiter waiter(String name, long bytes) {
    return new ByteBudget.Waiter() {
      @Override
      public long reservation() {
        return bytes;
      }

      @Override
      public void granted() {
        synchronized (granted) {
          granted.add(name);
        }
      }
    };
  }

  @Test
  void aReleaseBetweenAFailedReservationAndTheEnqueueIsNotLost() {
    ByteBudget budget = new ByteBudget(10);
    assertThat(budget.tryReserve(10)).isTrue();
    assertThat(budget.tryReserve(5)).isFalse();
    budget.release(10); // nobody waits yet: nothing to grant
    budget.waitForRoom(waiter("late", 5));
    assertThat(granted).containsExactly("late");
    assertThat(budget.held()).isEqualTo(5);
  }

  @Test
  void waitersAreGrantedInArrivalOrderAndNewRequestsDoNotPassThem() {
    ByteBudget budget = new ByteBudget(10);
    assertThat(budget.tryReserve(8)).isTrue();
    assertThat(budget.tryReserve(6)).isFalse();
    budget.waitForRoom(waiter("first", 6));
    // 2 bytes are free, but "first" waits: a small newcomer must not pass it.
    assertThat(budget.tryReserve(1)).isFalse();
    budget.waitForRoom(waiter("second", 1));
    assertThat(granted).isEmpty();
    budget.release(8);
    assertThat(granted).containsExactly("first", "second");
    assertThat(budget.held()).isEqualTo(7);
  }

  @Test
  void aRequestAsLargeAsTheBudgetFitsAnEmptyOne() {
    ByteBudget budget = new ByteBudget(10);
    assertThat(budget.tryReserve(10)).isTrue();
    budget.release(10);
    assertThat(budget.held()).isZero();
  }

  @Test
  void aWaiterWhoseConnectionClosedIsForgotten() {
    ByteBudget budget = new ByteBudget(10);
    budget.tryReserve(10);
    ByteBudget.Waiter gone = waiter("gone", 5);
    budget.waitForRoom(gone);
    assertThat(budget.stopWaiting(gone)).isTrue();
    budget.release(10);
    assertThat(granted).isEmpty();
    assertThat(budget.held()).isZero();
    assertThat(budget.stopWaiting(gone)).isFalse();
  }

  @Test
  void concurrentReserveAndReleaseNeverExceedTheBudgetAndEveryWaiterIsGranted() throws Exception {
    ByteBudget budget = new ByteBudget(100);
    int threads = 4;
    int rounds = 2000;
    AtomicInteger over = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(threads);
    for (int t = 0; t < threads; t++) {
      new Thread(() -> {
        for (int i = 0; i < rounds; i++) {
          long size = 1 + (i % 60);
          if (!budget.tryReserve(size)) {
            CountDownLatch mine = new CountDownLatch(1);
            budget.waitForRoom(new ByteBudget.Waiter() {
              @Override
              public long reservation() {
                return size;
              }

              @Override
              public void granted() {
                mine.countDown();
              }
            });
            try {
              if (!mine.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("a waiter was never granted");
              }
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          }
          if (budget.held() > 100) {
            over.incrementAndGet();
          }
          budget.release(size);
        }
        done.countDown();
      }).start();
    }
    assertThat(done.await(120, TimeUnit.SECONDS)).isTrue();
    assertThat(over).hasValue(0);
    assertThat(budget.held()).isZero();
    assertThat(budget.waiting()).isZero();
  }
}
