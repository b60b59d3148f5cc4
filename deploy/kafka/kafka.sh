#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft: broker + controller in one JVM) on
# loopback, assembled from the jars on Maven Central. No Docker, no tarball.
#
#   bash deploy/kafka/kafka.sh start | stop | restart | status | logs [-f] | reset
#
# Environment (all optional):
#   TANE_KAFKA_PORT             client port (default 9092)
#   TANE_KAFKA_CONTROLLER_PORT  KRaft controller port (default: client port + 1)
#   TANE_KAFKA_WORK             state folder (default deploy/kafka/.work, or
#                               deploy/kafka/.work/port-<port> for another port)
#   TANE_KAFKA_START_TIMEOUT    seconds to wait for the broker (default 90)
#   TANE_KAFKA_STOP_TIMEOUT     seconds before SIGKILL on stop (default 30)
#   TANE_KAFKA_HEAP_OPTS        JVM heap flags (default "-Xms256m -Xmx1g")
#   TANE_KAFKA_JAVA_OPTS        extra JVM flags
set -euo pipefail

KAFKA_VERSION=3.9.1
HOST=127.0.0.1
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PORT="${TANE_KAFKA_PORT:-9092}"

say() { printf 'kafka: %s\n' "$*"; }
fail() {
  printf 'kafka: error: %s\n' "$1" >&2
  [[ -n "${2:-}" ]] && printf '  → %s\n' "$2" >&2
  exit 1
}

require_port_number() {
  local name="$1" value="$2"
  if ! [[ "$value" =~ ^[0-9]{1,5}$ ]] || ((10#$value < 1 || 10#$value > 65535)); then
    fail "$name must be a port number, got '$value'" "set it to a free TCP port, e.g. 9092"
  fi
}

require_port_number TANE_KAFKA_PORT "$PORT"
PORT=$((10#$PORT))
CONTROLLER_PORT="${TANE_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
require_port_number TANE_KAFKA_CONTROLLER_PORT "$CONTROLLER_PORT"
CONTROLLER_PORT=$((10#$CONTROLLER_PORT))
if [[ -n "${TANE_KAFKA_WORK:-}" ]]; then
  WORK="$TANE_KAFKA_WORK"
elif [[ "$PORT" == 9092 ]]; then
  WORK="$HERE/.work"
else
  # Another port gets its own data, so two brokers never fight over one log dir.
  WORK="$HERE/.work/port-$PORT"
fi
LIBS="$HERE/.work/libs"
DATA="$WORK/data"
LOG="$WORK/kafka.log"
PID_FILE="$WORK/kafka.pid"
START_TIMEOUT="${TANE_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${TANE_KAFKA_STOP_TIMEOUT:-30}"
[[ "$START_TIMEOUT" =~ ^[0-9]+$ && "$STOP_TIMEOUT" =~ ^[0-9]+$ ]] ||
  fail "TANE_KAFKA_START_TIMEOUT and TANE_KAFKA_STOP_TIMEOUT must be whole seconds" "e.g. TANE_KAFKA_START_TIMEOUT=180"

# Sends a Kafka ApiVersions request and checks the correlation id of the answer,
# so "something answers on the port" really means "a Kafka broker answers".
kafka_answers() {
  local port="$1"
  local reply
  # shellcheck disable=SC2016 # $0 and $1 expand in the inner shell
  reply="$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "\x00\x00\x00\x0e\x00\x12\x00\x00tane\x00\x04tane" >&3
    head -c 8 <&3 | tail -c 4
  ' "$HOST" "$port" 2>/dev/null || true)"
  [[ "$reply" == tane ]]
}

port_open() {
  # shellcheck disable=SC2016 # $0 and $1 expand in the inner shell
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$HOST" "$1" 2>/dev/null
}

# The pid from the pid file, if that process is still our broker (not a reused pid).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  printf '%s' "$pid"
}

require_java() {
  command -v java >/dev/null 2>&1 ||
    fail "java is not installed (Kafka $KAFKA_VERSION needs Java 11 or newer; 17 is recommended)" \
      "install a JDK, e.g. 'apt-get install -y openjdk-17-jre-headless', or use an existing Kafka cluster instead (see deploy/kafka/README.md)"
  local version major
  version="$(java -version 2>&1 | head -1 | sed -E 's/.*version "([^"]+)".*/\1/')"
  major="${version%%.*}"
  [[ "$major" == 1 ]] && major="$(echo "$version" | cut -d. -f2)"
  if [[ "$major" =~ ^[0-9]+$ ]] && ((major < 11)); then
    fail "java $version is too old for Kafka $KAFKA_VERSION" "install Java 17 (or 11+) and put it first on PATH"
  fi
}

# Copies Kafka's runtime jars out of ~/.m2 (downloaded once, ~70 MB). Redone
# when pom.xml changes.
resolve_jars() {
  local stamp="$LIBS/.pom.sha256" want
  want="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$LIBS/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  command -v mvn >/dev/null 2>&1 ||
    fail "mvn (Apache Maven) is not installed; it fetches the Kafka $KAFKA_VERSION jars from Maven Central" \
      "install it, e.g. 'apt-get install -y maven', then run this again"
  say "resolving Apache Kafka $KAFKA_VERSION jars with Maven (first run downloads ~70 MB into ~/.m2)…"
  rm -rf "$LIBS.tmp"
  mkdir -p "$LIBS.tmp"
  if ! mvn -q -B -f "$HERE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$LIBS.tmp" >"$HERE/.work/mvn.log" 2>&1; then
    tail -n 40 "$HERE/.work/mvn.log" >&2 || true
    fail "Maven could not resolve the Kafka jars (full output in $HERE/.work/mvn.log)" \
      "check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml), then run this again"
  fi
  # The broker logs through reload4j; a logback jar on the classpath would steal slf4j.
  rm -f "$LIBS.tmp"/logback-*.jar
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  printf '%s' "$want" >"$stamp"
  say "jars ready in $LIBS ($(find "$LIBS" -name '*.jar' | wc -l) files)"
}

write_config() {
  mkdir -p "$WORK" "$DATA"
  cat >"$WORK/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.zookeeper=WARN
EOF
  cat >"$WORK/server.properties" <<EOF
# Written by deploy/kafka/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
# One broker: every internal topic must have replication factor 1, or groups
# fail with "coordinator not available".
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
EOF
}

format_storage() {
  local cp="$LIBS/*" id
  if [[ -f "$DATA/meta.properties" ]]; then
    return 0
  fi
  if [[ -f "$WORK/cluster-id" ]]; then
    id="$(cat "$WORK/cluster-id")"
  else
    id="$(java -Dlog4j.configuration="file:$WORK/log4j.properties" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)"
    [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || fail "could not generate a KRaft cluster id (got '$id')" "run 'bash deploy/kafka/kafka.sh reset' and try again"
    printf '%s' "$id" >"$WORK/cluster-id"
  fi
  say "formatting KRaft storage in $DATA (cluster id $id)"
  java -Dlog4j.configuration="file:$WORK/log4j.properties" -cp "$cp" kafka.tools.StorageTool format \
    -t "$id" -c "$WORK/server.properties" --ignore-formatted >"$WORK/format.log" 2>&1 || {
    tail -n 40 "$WORK/format.log" >&2
    fail "formatting the storage failed (see $WORK/format.log)" "run 'bash deploy/kafka/kafka.sh reset' to start from empty data"
  }
}

print_log_tail() {
  if [[ -f "$LOG" ]]; then
    printf -- '--- last 40 lines of %s ---\n' "$LOG" >&2
    tail -n 40 "$LOG" >&2
    printf -- '---\n' >&2
  fi
}

cmd_start() {
  mkdir -p "$WORK" "$HERE/.work"

  # Serialise concurrent starts (two test runs at once) on one lock.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$WORK/.lock"
    flock -w $((START_TIMEOUT + 60)) 9 || fail "another 'kafka.sh start' holds $WORK/.lock" "wait for it, or remove the lock file"
  fi

  if kafka_answers "$PORT"; then
    local pid
    if pid="$(running_pid)"; then
      say "already running on $HOST:$PORT (pid $pid, log $LOG)"
    else
      say "a Kafka broker already answers on $HOST:$PORT; using it (it was not started by this script)"
    fi
    return 0
  fi
  if port_open "$PORT"; then
    fail "port $HOST:$PORT is taken by something that is not a Kafka broker" \
      "stop that program, or choose another port: TANE_KAFKA_PORT=19092 bash deploy/kafka/kafka.sh start"
  fi
  if port_open "$CONTROLLER_PORT"; then
    fail "controller port $HOST:$CONTROLLER_PORT is already taken" \
      "free it, or choose another: TANE_KAFKA_CONTROLLER_PORT=19093 bash deploy/kafka/kafka.sh start"
  fi
  local stale
  if stale="$(running_pid)"; then
    # Our broker is alive but not answering (still starting, or wedged).
    say "broker pid $stale exists but does not answer yet; waiting for it"
    wait_ready "$stale"
    return 0
  fi

  require_java
  resolve_jars
  write_config
  format_storage

  [[ -f "$LOG" ]] && mv -f "$LOG" "$LOG.1"
  local heap="${TANE_KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
  # shellcheck disable=SC2086 # the *_OPTS variables are flag lists
  nohup java $heap -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$WORK/log4j.properties" -Dkafka.logs.dir="$WORK" \
    ${TANE_KAFKA_JAVA_OPTS:-} -cp "$LIBS/*" kafka.Kafka "$WORK/server.properties" \
    >"$LOG" 2>&1 </dev/null 9>&- &
  local pid=$!
  printf '%s' "$pid" >"$PID_FILE"
  say "starting Apache Kafka $KAFKA_VERSION on $HOST:$PORT (controller $CONTROLLER_PORT, pid $pid, log $LOG)"
  wait_ready "$pid"
}

wait_ready() {
  local pid="$1" waited=0
  while ((waited < START_TIMEOUT)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      print_log_tail
      rm -f "$PID_FILE"
      fail "the broker exited during start-up" "read the log above; 'bash deploy/kafka/kafka.sh reset' clears broken data"
    fi
    if grep -q 'Kafka Server started' "$LOG" 2>/dev/null && kafka_answers "$PORT"; then
      say "ready on $HOST:$PORT after ${waited}s"
      return 0
    fi
    sleep 1
    waited=$((waited + 1))
    if ((waited % 10 == 0)); then
      say "still waiting for the broker (${waited}s of ${START_TIMEOUT}s)…"
    fi
  done
  print_log_tail
  fail "the broker did not come up on $HOST:$PORT within ${START_TIMEOUT}s (pid $pid is left running)" \
    "read the log above, then 'bash deploy/kafka/kafka.sh stop'; raise TANE_KAFKA_START_TIMEOUT on a slow machine"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    if kafka_answers "$PORT"; then
      say "a broker answers on $HOST:$PORT but was not started from $WORK; leaving it alone"
    else
      say "not running"
    fi
    return 0
  fi
  say "stopping broker pid $pid (SIGTERM, SIGKILL after ${STOP_TIMEOUT}s)"
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= STOP_TIMEOUT * 5)); then
      say "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
  rm -f "$PID_FILE"
  say "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    if kafka_answers "$PORT"; then
      say "running on $HOST:$PORT (pid $pid, data $DATA, log $LOG)"
      return 0
    fi
    say "pid $pid is alive but $HOST:$PORT does not answer (starting or stuck; see $LOG)"
    return 1
  fi
  if kafka_answers "$PORT"; then
    say "a broker answers on $HOST:$PORT (not started from $WORK)"
    return 0
  fi
  say "not running on $HOST:$PORT"
  return 3
}

cmd_logs() {
  [[ -f "$LOG" ]] || fail "no log yet at $LOG" "start the broker first: bash deploy/kafka/kafka.sh start"
  if [[ "${1:-}" == -f ]]; then
    exec tail -n 100 -F "$LOG"
  fi
  tail -n "${1:-100}" "$LOG"
}

cmd_reset() {
  cmd_stop
  rm -rf "$DATA" "$WORK/cluster-id" "$WORK/server.properties" "$WORK/format.log"
  say "data removed from $DATA (the jars in $LIBS are kept)"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop && cmd_start ;;
  status) cmd_status ;;
  logs) cmd_logs "${2:-}" ;;
  reset) cmd_reset ;;
  *)
    echo "usage: bash deploy/kafka/kafka.sh start|stop|restart|status|logs [-f|N]|reset" >&2
    exit 2
    ;;
esac
