#!/usr/bin/env bash
# The whole performance suite in one command (about 16 minutes on a 2-core machine):
#   1. builds the shaded benchmark jar (reactor build, nothing installed),
#   2. runs every JMH benchmark with -prof gc, writing JSON,
#   3. runs the side-by-side harness against analytics-java 3.5.4 (fresh JVM per run),
#      plus one uncounted Beacon run under Flight Recorder,
#   4. writes docs/performance.md and docs/img/*.png from those files (the sections it writes are
#      replaced; every other section already on the page, hand-written, is kept after them).
# The spool benchmarks (SpoolBenchmark, Chronicle) run as a second JMH run into spool.json.
# Results land in bench/results/<UTC time>/ and bench/results/latest/.
# IDLE_SECONDS (60) sets the idle-CPU measurement. Knobs (environment): EVENTS (1000000), REPS (2; 3 fits in about 16 minutes), THREADS (1,4), CLIENTS (all five),
# JMH_ARGS (extra JMH options, e.g. "-f 1" to halve the forks), SPOOL_ARGS (extra JMH options for
# the spool run), SKIP_BUILD=1, SPOOL_ONLY=1 (run only SpoolBenchmark, about 4.5 minutes, and patch
# its figures into the existing docs/performance.md, leaving the rest of the page as it is).
# Traffic goes only to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS=${EVENTS:-1000000}
REPS=${REPS:-2}
THREADS=${THREADS:-1,4}
CLIENTS=${CLIENTS:-analytics-java,analytics-java-nodelay,beacon,beacon-block,beacon-block-libdeflate}
JAR=bench/target/benchmarks.jar
OUT=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
start=$(date +%s)

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -pl bench -am package -DskipTests
fi

spool() {
  # shellcheck disable=SC2086
  timeout 600 java -jar "$JAR" 'dev\.beacon\.spool\.SpoolBenchmark' -prof gc -foe true \
    -rf json -rff "$OUT/spool.json" ${SPOOL_ARGS:-} | tee "$OUT/spool.log" | grep -E '^(# Benchmark:|# Parameters:|Benchmark |SpoolBenchmark\.)' || true
  [[ -s "$OUT/spool.json" ]] || { echo "JMH wrote no spool results" >&2; exit 1; }
}

if [[ "${SPOOL_ONLY:-0}" == 1 ]]; then
  spool
  java -Djava.awt.headless=true -cp "$JAR" dev.beacon.bench.Report --patch docs/performance.md \
    --spool "$OUT/spool.json" --command "SPOOL_ONLY=1 bench/run.sh${SPOOL_ARGS:+ (SPOOL_ARGS=\"$SPOOL_ARGS\")}"
  mkdir -p bench/results/latest && cp "$OUT/spool.json" bench/results/latest/
  echo "spool benchmarks finished in $(( $(date +%s) - start )) s; results in $OUT, spool figures patched into docs/performance.md"
  exit 0
fi

# Each JMH benchmark bounds its own time (forks, iterations and durations are annotated);
# timeout is the backstop so a hung run can never stall CI or the machine.
# shellcheck disable=SC2086
timeout 780 java -jar "$JAR" 'dev\.beacon\..*Benchmark' -e 'SpoolBenchmark' -prof gc -foe true \
  -rf json -rff "$OUT/jmh.json" ${JMH_ARGS:-} | tee "$OUT/jmh.log" | grep -E '^(# Benchmark:|# Parameters:|Benchmark |[A-Za-z.]+Benchmark\.)' || true
[[ -s "$OUT/jmh.json" ]] || { echo "JMH wrote no results" >&2; exit 1; }

spool

timeout 600 java -cp "$JAR" dev.beacon.bench.SideBySide --events "$EVENTS" --threads "$THREADS" \
  --reps "$REPS" --clients "$CLIENTS" --out "$OUT/side-by-side.json" --profile "$OUT/beacon.jfr" \
  | tee "$OUT/side-by-side.log"

java -Djava.awt.headless=true -cp "$JAR" dev.beacon.bench.Report --jmh "$OUT/jmh.json" \
  --side "$OUT/side-by-side.json" --spool "$OUT/spool.json" --jfr "$OUT/beacon.jfr" --md docs/performance.md --img docs/img \
  --command "bench/run.sh (EVENTS=$EVENTS REPS=$REPS THREADS=$THREADS${JMH_ARGS:+ JMH_ARGS=\"$JMH_ARGS\"})"

# Idle CPU of each client over a minute (children run side by side): its own section of the page.
timeout 300 java -cp "$JAR" dev.beacon.bench.IdleCpu --seconds "${IDLE_SECONDS:-60}" --md docs/performance.md \
  | tee "$OUT/idle.log"

# Only this suite's own files are replaced: other runners (the gateway bench) keep theirs here too.
mkdir -p bench/results/latest
cp "$OUT"/jmh.json "$OUT"/spool.json "$OUT"/side-by-side.json bench/results/latest/
echo "suite finished in $(( $(date +%s) - start )) s; results in $OUT, report in docs/performance.md"
