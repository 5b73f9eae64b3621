#!/usr/bin/env bash
# What the usage limiter costs under load: requests/second of `gateway serve` on one MOCK
# route, with the limiter off and on (a usage plan's throttle and quota at limits that are never
# reached), counters in memory and in Redis.
#
# On 127.0.0.1 (free ports, a temp dir only) it builds the `gateway` binary in release, starts
# redis-server, then measures with wrk (-t2 -c32, DURATION seconds each):
#   (a) off:    the method requires no key, no plan (only the account's in-memory bucket);
#   (b) memory: the method requires a key, in a plan with a throttle and a quota, counters in
#               memory;
#   (c) redis:  the same with `counters: {store: redis}` (decisions batched into script calls);
# and prints the three figures with the cost of (b) and (c) against (a) (the goal for (c):
# under 20%). Every process it started is stopped on exit, its temp dir removed.
#
# Needs wrk, redis-server and curl (Debian packages `wrk`, `redis-server`, `curl`); installs
# them with apt-get when missing and it can, or says why not and exits 0.
# Environment: DURATION (seconds per run, default 10), THREADS (2), CONNECTIONS (32),
# CARGO_TARGET_DIR (where the release binary is built, cargo's default otherwise).
set -euo pipefail

DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KEY="load-test-key-0123456789abcdef"

say() { printf 'load_usage.sh: %s\n' "$*" >&2; }

need() { # need <command> <debian package>
    command -v "$1" >/dev/null 2>&1 && return 0
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        say "installing $2 with apt-get"
        if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1; }; then
            command -v "$1" >/dev/null 2>&1 && return 0
        fi
        say "cannot install $2 (apt-get failed); skipping the load test"
    else
        say "$1 is missing and cannot be installed here (needs apt-get as root); skipping"
    fi
    exit 0
}
export PATH="$PATH:/usr/sbin:/sbin"
need wrk wrk
need redis-server redis-server
need curl curl

say "building the gateway binary (release)"
(cd "$ROOT" && cargo build --release -q -p gateway-examples --bin gateway)
GATEWAY="${CARGO_TARGET_DIR:-$ROOT/target}/release/gateway"
[ -x "$GATEWAY" ] || { say "no binary at $GATEWAY"; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/gateway-load-usage.XXXXXX")"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

wait_ready() { # wait_ready <url> [header]
    local i
    for i in $(seq 1 100); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' ${2:+-H "$2"} "$1" || true)" = 200 ]; then
            return 0
        fi
        sleep 0.1
    done
    say "$1 did not become ready"
    return 1
}

REDIS_PORT="$(free_port)"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no >/dev/null 2>&1 &
PIDS+=($!)

api() { # api <security line or empty>
    cat <<YAML
openapi: 3.0.1
info: {title: usage load test, version: "1"}
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
paths:
  /pets:
    get:
      $1
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default: {statusCode: "200", responseTemplates: {application/json: '[{"id":1,"type":"dog"}]'}}
YAML
}
api "" >"$WORK/open.yaml"
api "security: [{api_key: []}]" >"$WORK/keyed.yaml"

config() { # config <counters>
    cat <<YAML
apiKeys: [{id: k1, value: "$KEY", enabled: true}]
usagePlans:
  - id: load
    apiStages: [{stage: prod}]
    throttle: {rateLimit: 1000000, burstLimit: 1000000}
    quota: {limit: 1000000000, period: DAY}
usagePlanKeys: [{usagePlanId: load, keyId: k1}]
counters: $1
$ACCOUNT
YAML
}
# The account's default throttle (10,000/s, burst 5,000) would cut every run off below what the
# gateway serves here: raised out of reach in all three.
ACCOUNT="account: {throttle: {rateLimit: 1000000000, burstLimit: 1000000000}}"
printf '%s\n' "$ACCOUNT" >"$WORK/off.yaml"
config "{store: memory}" >"$WORK/memory.yaml"
config "{store: redis, url: \"redis://127.0.0.1:$REDIS_PORT\", onError: deny}" >"$WORK/redis.yaml"

measure() { # measure <url> [header]
    local out rps
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency ${2:+-H "$2"} "$1")"
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        say "$1: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')"
    fi
    printf '%s %s\n' "${rps:-0}" "$(awk '/^ +99%/ {print $2}' <<<"$out")"
}

run() { # run <api> <config or empty> [header]: starts a gateway, measures it, stops it
    local port pid
    port="$(free_port)"
    if [ -n "$2" ]; then
        "$GATEWAY" serve "$1" --port "$port" --config "$2" >/dev/null 2>&1 &
    else
        "$GATEWAY" serve "$1" --port "$port" >/dev/null 2>&1 &
    fi
    pid=$!
    PIDS+=("$pid")
    wait_ready "http://127.0.0.1:$port/prod/pets" "${3:-}"
    measure "http://127.0.0.1:$port/prod/pets" "${3:-}"
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

say "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s against each (about $((3 * DURATION)) s)"
read -r OFF_RPS OFF_P99 < <(run "$WORK/open.yaml" "$WORK/off.yaml")
read -r MEM_RPS MEM_P99 < <(run "$WORK/keyed.yaml" "$WORK/memory.yaml" "x-api-key: $KEY")
read -r REDIS_RPS REDIS_P99 < <(run "$WORK/keyed.yaml" "$WORK/redis.yaml" "x-api-key: $KEY")

cost() { awk -v on="$1" -v off="$2" 'BEGIN { if (off > 0) printf "%.1f%%", (1 - on / off) * 100; else print "-" }'; }
printf '\n%-52s %12s %10s %8s\n' "GET /pets (MOCK), wrk -t$THREADS -c$CONNECTIONS ${DURATION}s, $(nproc) cores" "requests/s" "p99" "cost"
printf '%-52s %12s %10s %8s\n' "(a) limiter off (no key, no plan)" "$OFF_RPS" "$OFF_P99" "-"
printf '%-52s %12s %10s %8s\n' "(b) key + plan throttle + quota, memory counters" "$MEM_RPS" "$MEM_P99" "$(cost "$MEM_RPS" "$OFF_RPS")"
printf '%-52s %12s %10s %8s\n' "(c) key + plan throttle + quota, Redis counters" "$REDIS_RPS" "$REDIS_P99" "$(cost "$REDIS_RPS" "$OFF_RPS")"
