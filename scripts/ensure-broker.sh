#!/usr/bin/env bash
# Makes sure the local RabbitMQ broker (AMQP on 5672, management API on 15672) is up.
# Installs it from Debian's packages when missing, starts it when stopped, enables the management plugin.
set -euo pipefail
QUIET=0; [ "${1:-}" = "--quiet" ] && QUIET=1

AMQP_PORT="${LOCAL_AMQP_PORT:-5672}"
MGMT_PORT="${LOCAL_MANAGEMENT_PORT:-15672}"

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

if ! command -v rabbitmq-server >/dev/null 2>&1; then
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
rabbitmqctl await_startup >/dev/null

if ! port_open "$MGMT_PORT"; then
  echo "ensure-broker: enabling rabbitmq_management"
  rabbitmq-plugins enable rabbitmq_management >/dev/null
  wait_for_port "$MGMT_PORT" "RabbitMQ management API"
fi

# The management API answers 200 once it has loaded; a plain open port is not enough. (Node, not curl: Node is
# the one tool this project can count on.)
for _ in $(seq 1 30); do
  if node -e "fetch('http://127.0.0.1:$MGMT_PORT/api/overview',{headers:{authorization:'Basic '+Buffer.from('guest:guest').toString('base64')}}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"; then
    echo "ensure-broker: RabbitMQ is up (amqp :$AMQP_PORT, management :$MGMT_PORT)"
    exit 0
  fi
  sleep 1
done
echo "ensure-broker: management API on :$MGMT_PORT did not answer" >&2
exit 1
