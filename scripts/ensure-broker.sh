#!/usr/bin/env bash
# Makes sure the local RabbitMQ broker (AMQP on 5672, management API on 15672) is up.
# Installs it from Debian's packages when missing, starts it when stopped, enables the management plugin and the
# consistent-hash exchange plugin (the producer's exchange is an x-consistent-hash exchange, as on Amazon MQ).
#
#   bash scripts/ensure-broker.sh                 install if missing (Debian, as root), start, check
#   bash scripts/ensure-broker.sh --quiet         the same, silent when the broker is already up
#   bash scripts/ensure-broker.sh --print-docker  print the docker command for a machine with Docker instead
#
# Where it can't install (not root, no apt-get) it stops at once with one message saying exactly what to run.
set -euo pipefail
QUIET=0
MODE=ensure
for arg in "$@"; do
  case "$arg" in
    --quiet) QUIET=1 ;;
    --print-docker) MODE=docker ;;
    *) echo "ensure-broker: unknown option $arg (allowed: --quiet, --print-docker)" >&2; exit 2 ;;
  esac
done

AMQP_PORT="${LOCAL_AMQP_PORT:-5672}"
MGMT_PORT="${LOCAL_MANAGEMENT_PORT:-15672}"

# The official image at the engine version the default (dev) stage deploys, its management plugin included, with the
# consistent-hash exchange plugin enabled before the node starts.
DOCKER_RUN="docker run -d --name mq-cloud-integration-rabbitmq -p $AMQP_PORT:5672 -p $MGMT_PORT:15672 rabbitmq:3.13-management sh -c 'rabbitmq-plugins enable --offline rabbitmq_consistent_hash_exchange && exec docker-entrypoint.sh rabbitmq-server'"
if [ "$MODE" = docker ]; then
  echo "$DOCKER_RUN"
  exit 0
fi

say() { if [ "$QUIET" = 0 ]; then echo "$@"; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local port=$1 what=$2
  for _ in $(seq 1 60); do
    if port_open "$port"; then return 0; fi
    sleep 1
  done
  echo "ensure-broker: $what did not open port $port within 60 s" >&2
  return 1
}

if ! command -v rabbitmq-server >/dev/null 2>&1 && ! port_open "$AMQP_PORT"; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    if command -v docker >/dev/null 2>&1; then
      echo "ensure-broker: no local RabbitMQ and no way to install one here; run:  $DOCKER_RUN" >&2
    else
      echo "ensure-broker: no local RabbitMQ and no way to install one here (needs root and apt-get); run:  sudo apt-get install -y rabbitmq-server && sudo bash scripts/ensure-broker.sh" >&2
    fi
    exit 2
  fi
  echo "ensure-broker: rabbitmq-server not found; installing Debian's rabbitmq-server"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq rabbitmq-server >/dev/null
fi

if ! port_open "$AMQP_PORT"; then
  echo "ensure-broker: starting RabbitMQ"
  rabbitmq-server -detached
  wait_for_port "$AMQP_PORT" "RabbitMQ AMQP listener"
fi
# A broker this script did not install (e.g. a container on these ports) is only checked, never managed.
if command -v rabbitmqctl >/dev/null 2>&1; then rabbitmqctl await_startup >/dev/null; fi

if ! port_open "$MGMT_PORT" && command -v rabbitmq-plugins >/dev/null 2>&1; then
  echo "ensure-broker: enabling rabbitmq_management"
  rabbitmq-plugins enable rabbitmq_management >/dev/null
  wait_for_port "$MGMT_PORT" "RabbitMQ management API"
fi

# Online and idempotent: enabling a plugin that is already on changes nothing and restarts nothing.
if command -v rabbitmq-plugins >/dev/null 2>&1 &&
  ! rabbitmq-plugins list --enabled --minimal 2>/dev/null | grep -qx rabbitmq_consistent_hash_exchange; then
  echo "ensure-broker: enabling rabbitmq_consistent_hash_exchange"
  rabbitmq-plugins enable rabbitmq_consistent_hash_exchange >/dev/null
fi

# The management API answers 200 once it has loaded; a plain open port is not enough. (Node, not curl: Node is
# the one tool this project can count on.)
for _ in $(seq 1 30); do
  if node -e "fetch('http://127.0.0.1:$MGMT_PORT/api/overview',{headers:{authorization:'Basic '+Buffer.from('guest:guest').toString('base64')}}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    say "ensure-broker: RabbitMQ is up (amqp :$AMQP_PORT, management :$MGMT_PORT)"
    exit 0
  fi
  sleep 1
done
echo "ensure-broker: management API on :$MGMT_PORT did not answer" >&2
exit 1
