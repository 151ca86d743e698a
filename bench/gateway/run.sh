#!/usr/bin/env bash
# The gateway side by side (issue 22), about 8 minutes a run on a 2-core machine:
#   1. builds bench/gateway/target/gateway-bench.jar (reactor build, nothing installed),
#   2. runs GatewayBench: in turn the no-op Netty server, the testkit's CollectorServer, the gateway
#      with the local journal (process-crash, forwarding to a counting collector in another JVM) and
#      the gateway with the Kafka sink (a KRaft broker in another JVM), each loaded by wrk with
#      bench/gateway/wrk/segment.lua: 20-event /v1/batch and single-event /v1/t requests, the peak,
#      then p50/p99 latency at 70% of it.
# It does not touch docs/performance.md: the figures are copied into its hand-written section
# "The gateway (issue 22)". Results land in bench/results/gateway-<UTC time>.{md,log}.
# Needs wrk (Debian: apt-get install -y wrk). Knobs (environment): RUNS (2), SECONDS_PER_PHASE (15),
# WARMUP (15, per request shape), THREADS (2), CONNECTIONS (32), TARGETS (noop,collector,journal,kafka), SKIP_BUILD=1.
# Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt-get install -y wrk)" >&2; exit 1; }
JAR=bench/gateway/target/gateway-bench.jar
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -pl bench/gateway -am package -DskipTests -Pgateway-bench
fi
# Chronicle Queue (the journal) needs these on Java 17+ (the same list as bin/beacon); the bench
# passes them on to each target's JVM.
FLAGS=(
  --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/jdk.internal.util=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  -Dchronicle.analytics.disable=true
  -Dchronicle.announcer.disable=true
  -Ddisable.perf.info=true
  -Dchronicle.disk.monitor.disable=true
)
major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
if [ "${major:-17}" -ge 24 ]; then
  FLAGS+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
fi
mkdir -p bench/results
OUT=bench/results/gateway-$(date -u +%Y%m%dT%H%M%SZ)
# timeout: the backstop, so that a hung run never stalls the machine (each phase bounds itself too).
timeout $(( ${RUNS:-2} * 900 )) java -Xmx256m "${FLAGS[@]}" -cp "$JAR" dev.beacon.bench.gateway.GatewayBench \
  --runs "${RUNS:-2}" --seconds "${SECONDS_PER_PHASE:-15}" --warmup "${WARMUP:-15}" --threads "${THREADS:-2}" \
  --connections "${CONNECTIONS:-32}" --targets "${TARGETS:-noop,collector,journal,kafka}" \
  --script bench/gateway/wrk/segment.lua --out "$OUT.md" | tee "$OUT.log"
