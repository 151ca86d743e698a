package dev.beacon.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 20, item 15: in a servlet container the threads that call Beacon belong to the container's
 * pool and outlive the web application. After the application closed its client and was
 * undeployed, such a thread must not keep the application's class loader alive (a per-thread
 * buffer in a {@code ThreadLocal}, Beacon's own or Jackson's, did).
 */
class UndeployTest {

  @Test
  void aPoolThreadThatCalledTheClientDoesNotPinTheApplicationsClassLoader() throws Exception {
    ExecutorService containerPool = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "container-pool-1");
      t.setDaemon(true);
      return t;
    });
    try {
      WeakReference<ClassLoader> app = deployRunAndUndeploy(containerPool);
      // The pool thread is still alive and idle, as a container's is. Wait for the loader to go.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (app.get() != null && System.nanoTime() - deadline < 0) {
        System.gc();
        Thread.onSpinWait();
      }
      assertThat(app.get()).as("the undeployed application's class loader was collected").isNull();
    } finally {
      containerPool.shutdownNow();
    }
  }

  private static WeakReference<ClassLoader> deployRunAndUndeploy(ExecutorService pool) throws Exception {
    URL[] classPath = {
        location(dev.beacon.Analytics.class),
        location(com.lmax.disruptor.RingBuffer.class),
        location(com.fasterxml.jackson.core.JsonFactory.class),
        location(org.slf4j.LoggerFactory.class),
        location(UndeployTest.class), // this module's test classes: UndeployedApp and MemorySpool
    };
    URLClassLoader loader = new URLClassLoader("undeployed-app", classPath, ClassLoader.getPlatformClassLoader());
    pool.submit(() -> {
      Runnable app = (Runnable) Class.forName(UndeployedApp.class.getName(), true, loader)
          .getDeclaredConstructor().newInstance();
      assertThat(app.getClass().getClassLoader()).isSameAs(loader);
      app.run();
      return null;
    }).get(2, TimeUnit.MINUTES);
    loader.close();
    return new WeakReference<>(loader);
  }

  private static URL location(Class<?> c) {
    return c.getProtectionDomain().getCodeSource().getLocation();
  }
}
