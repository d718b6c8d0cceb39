#!/usr/bin/env bash
# Makes sure a local Apache Kafka broker (KRaft, one node acting as broker and controller) is up on 127.0.0.1.
# The broker is Apache Kafka's own jars from Maven Central, resolved once by `mvn dependency:copy-dependencies`
# from scripts/kafka/pom.xml into .cache/kafka/<version>/libs: no tarball download, nothing installed system-wide.
#
#   bash scripts/ensure-kafka.sh            start (or find running) and wait until it serves
#   bash scripts/ensure-kafka.sh --quiet    the same, silent when it is already up (the pretest hook)
#   bash scripts/ensure-kafka.sh --stop     stop the broker this script started from the same data directory
#   bash scripts/ensure-kafka.sh --version  print the pinned Kafka version
#
# Environment: LOCAL_KAFKA_PORT (9092), LOCAL_KAFKA_CONTROLLER_PORT (port + 1), LOCAL_KAFKA_HEAP (768m), LOCAL_KAFKA_DIR (data, config, log
# and pid file; default .local/kafka in this checkout), LOCAL_KAFKA_JVM_OPTS (the broker's GC and JIT flags, default
# -XX:+UseG1GC). Tests that kill a broker start their own with other values.
# Needs Java 17+ and Maven. Installs Debian's kcat when it is missing (the test that publishes with a client we did
# not write uses it); a machine without apt just skips that.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/scripts/kafka/pom.xml")"
PORT="${LOCAL_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${LOCAL_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
DIR="${LOCAL_KAFKA_DIR:-$ROOT/.local/kafka}"
LIBS="$ROOT/.cache/kafka/$KAFKA_VERSION/libs"
PID_FILE="$DIR/kafka.pid"
LOG_FILE="$DIR/server.log"
QUIET=0
# The storage tool runs for a second or two: the client compiler alone and the serial collector start it with about a
# third less CPU than the JVM's defaults, and it has nothing to optimise for.
TOOL_JVM_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

say() { [ "$QUIET" = 1 ] || echo "ensure-kafka: $*"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  # A killed broker may linger as a zombie until its parent reaps it: that is not running.
  kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != "Z" ] && echo "$pid"
}

stop_broker() {
  local pid
  if ! pid="$(running_pid)"; then
    say "no broker of ours is running from $DIR"
    rm -f "$PID_FILE"
    return 0
  fi
  kill -TERM "$pid"
  # A clean shutdown flushes logs and closes the KRaft quorum; give it time before forcing.
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PID_FILE"; say "stopped (pid $pid)"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  say "killed (pid $pid) after 30 s without a clean shutdown"
}

# A KRaft cluster id as the storage tool's `random-uuid` makes it (org.apache.kafka.common.Uuid.randomUuid: 16 random
# bytes in URL-safe base64 without padding, never starting with '-' nor one of the two reserved ids), without
# starting a JVM for it.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    if [[ "$id" != -* && "$id" != AAAAAAAAAAAAAAAAAAAAAA && "$id" != AAAAAAAAAAAAAAAAAAAAAQ ]]; then
      echo "$id"
      return 0
    fi
  done
}

resolve_jars() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || { echo "ensure-kafka: Maven (mvn) is required to fetch Kafka's jars" >&2; exit 2; }
  echo "ensure-kafka: resolving Apache Kafka $KAFKA_VERSION from Maven Central into $LIBS (once)" >&2
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  mvn -B -q -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

install_kcat() {
  command -v kcat >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || return 0
  say "installing Debian's kcat"
  (export DEBIAN_FRONTEND=noninteractive && apt-get install -y -qq kcat >/dev/null 2>&1) ||
    (apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null 2>&1) ||
    echo "ensure-kafka: could not install kcat (the kcat test will say so)" >&2
}

write_config() {
  mkdir -p "$DIR/data"
  cat >"$DIR/server.properties" <<EOF
# Written by scripts/ensure-kafka.sh: one KRaft node, broker and controller, loopback only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Topics come from the template through the admin API, never by a typo in a producer.
auto.create.topics.enable=false
EOF
  cat >"$DIR/log4j2.properties" <<EOF
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = $LOG_FILE
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = WARN
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
logger.broker.name = kafka.server.BrokerServer
logger.broker.level = INFO
EOF
}

start_broker() {
  resolve_jars
  write_config
  local classpath="$LIBS/*"
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(new_cluster_id)"
    java "${TOOL_JVM_OPTS[@]}" -Dlog4j2.configurationFile="$DIR/log4j2.properties" -cp "$classpath" kafka.tools.StorageTool format \
      -t "$cluster_id" -c "$DIR/server.properties" >"$DIR/format.log" 2>&1 ||
      { cat "$DIR/format.log" >&2; echo "ensure-kafka: formatting $DIR/data failed" >&2; exit 1; }
  fi
  : >"$LOG_FILE"
  # setsid: the broker outlives this script and the shell that ran it.
  # shellcheck disable=SC2086 # LOCAL_KAFKA_JVM_OPTS is a list of flags.
  setsid nohup java -Xms128m -Xmx"${LOCAL_KAFKA_HEAP:-768m}" ${LOCAL_KAFKA_JVM_OPTS:--XX:+UseG1GC} -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$DIR/log4j2.properties" -Dkafka.logs.dir="$DIR" \
    -cp "$classpath" kafka.Kafka "$DIR/server.properties" >"$DIR/stdout.log" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local pid
  pid="$(cat "$PID_FILE")"
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -20 "$DIR/stdout.log" "$LOG_FILE" >&2 || true
      echo "ensure-kafka: the broker exited during startup (see $DIR)" >&2
      rm -f "$PID_FILE"
      exit 1
    fi
    # "started" is logged once the broker has joined the KRaft quorum and opened its listener.
    if port_open "$PORT" && grep -q 'Kafka Server started\|BrokerServer id=1\] Transition from STARTING to STARTED' "$LOG_FILE" 2>/dev/null; then
      say "Apache Kafka $KAFKA_VERSION is up on 127.0.0.1:$PORT (KRaft, pid $pid, data $DIR)"
      return 0
    fi
    sleep 0.5
  done
  echo "ensure-kafka: the broker did not start within 60 s (see $LOG_FILE)" >&2
  exit 1
}

case "${1:-}" in
  --stop) stop_broker; exit 0 ;;
  --version) echo "$KAFKA_VERSION"; exit 0 ;;
  --quiet) QUIET=1 ;;
  "") ;;
  *) echo "usage: ensure-kafka.sh [--quiet|--stop|--version]" >&2; exit 2 ;;
esac

install_kcat
# Fast path (the pretest hook runs this before every `npm test`): a listener on the port is taken as the broker.
if port_open "$PORT"; then
  say "Kafka is already listening on 127.0.0.1:$PORT"
  exit 0
fi
if pid="$(running_pid)"; then
  echo "ensure-kafka: pid $pid from $DIR runs but does not listen on $PORT; stop it with --stop" >&2
  exit 1
fi
command -v java >/dev/null 2>&1 || { echo "ensure-kafka: Java 17+ is required" >&2; exit 2; }
start_broker
