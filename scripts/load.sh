#!/usr/bin/env bash
# A bounded load test of `gateway serve` beside the backend alone and nginx as a reverse proxy.
#
# It builds the `gateway` binary in release, then on 127.0.0.1 (free ports, temp dirs only):
#   - nginx serves a static JSON file: the backend, fast enough not to be the bottleneck;
#   - `gateway serve` serves an API with one HTTP_PROXY route (GET /pets) to that backend;
#   - a second nginx proxies to the same backend: a reverse-proxy reference.
# and measures requests/second with wrk (-t2 -c32, DURATION seconds each) for
#   (a) the backend alone, (b) the gateway in front of it, (c) nginx in front of it,
# then prints the three figures in a table. Every process it started is stopped on exit
# (trap), and its temp dir removed.
#
# Needs wrk and nginx (Debian packages `wrk`, `nginx`); it installs them with apt-get when
# missing and it can, or says why not and exits 0. Usage: scripts/load.sh
# Environment: DURATION (seconds per run, default 10), THREADS (2), CONNECTIONS (32),
# CARGO_TARGET_DIR (where the release binary is built, cargo's default otherwise).
set -euo pipefail

DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'load.sh: %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------------
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
need wrk wrk
export PATH="$PATH:/usr/sbin:/sbin"
need nginx nginx
need curl curl

# --- build -----------------------------------------------------------------------------------
say "building the gateway binary (release)"
(cd "$ROOT" && cargo build --release -q -p gateway-examples --bin gateway)
GATEWAY="${CARGO_TARGET_DIR:-$ROOT/target}/release/gateway"
[ -x "$GATEWAY" ] || { say "no binary at $GATEWAY"; exit 1; }

# --- cleanup ---------------------------------------------------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gateway-load.XXXXXX")"
# nginx's workers may run as another user (www-data when started as root): let them read it.
chmod 755 "$WORK"
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on now (the kernel picks it; a race with another process is unlikely
# and shows up as a failed start below).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits until `url` answers 200, at most about 10 s.
wait_ready() {
    local url="$1" i
    for i in $(seq 1 100); do
        if [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" = 200 ]; then
            return 0
        fi
        sleep 0.1
    done
    say "$url did not become ready"
    return 1
}

# nginx in the foreground with its own prefix (pid file, temp files, logs in $WORK).
start_nginx() { # start_nginx <name> <server block>
    local name="$1" server="$2" dir="$WORK/$1"
    mkdir -p "$dir/logs" "$dir/tmp"
    cat >"$dir/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    default_type application/json;
    keepalive_requests 1000000;
    $server
}
EOF
    nginx -p "$dir" -c "$dir/nginx.conf" &
    PIDS+=($!)
}

# --- backend: nginx serving one static JSON file ---------------------------------------------
BACKEND_PORT="$(free_port)"
mkdir -p "$WORK/www"
printf '%s\n' '[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99},{"id":3,"type":"fish","price":0.99}]' \
    >"$WORK/www/pets.json"
start_nginx backend "server {
        listen 127.0.0.1:$BACKEND_PORT;
        root $WORK/www;
        location = /pets { try_files /pets.json =404; }
    }"
wait_ready "http://127.0.0.1:$BACKEND_PORT/pets"

# --- the gateway: one HTTP_PROXY route to the backend ----------------------------------------
GATEWAY_PORT="$(free_port)"
cat >"$WORK/api.yaml" <<EOF
openapi: 3.0.1
info: {title: load test, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://127.0.0.1:$BACKEND_PORT/pets
        passthroughBehavior: when_no_match
EOF
# The account's default throttle (10,000/s, burst 5,000, as on AWS) raised out of reach: this
# run measures the pipeline, not the limiter (scripts/load_usage.sh does that).
printf '%s\n' "account: {throttle: {rateLimit: 1000000000, burstLimit: 1000000000}}" >"$WORK/config.yaml"
# One log line per request goes to a file, as a host would keep it.
"$GATEWAY" serve "$WORK/api.yaml" --port "$GATEWAY_PORT" --config "$WORK/config.yaml" >"$WORK/gateway.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$GATEWAY_PORT/prod/pets"

# --- nginx as a reverse proxy to the same backend --------------------------------------------
PROXY_PORT="$(free_port)"
start_nginx proxy "upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$PROXY_PORT;
        location /prod/ {
            proxy_pass http://backend/;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
        }
    }"
wait_ready "http://127.0.0.1:$PROXY_PORT/prod/pets"

# --- the runs --------------------------------------------------------------------------------
# Prints wrk's Requests/sec for one URL; a run with errors or non-2xx answers says so.
measure() { # measure <url>
    local out rps
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1")"
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
        say "$1: $(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ')"
    fi
    printf '%s %s\n' "${rps:-0}" "$(awk '/^ +99%/ {print $2}' <<<"$out")"
}

say "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s against each (about $((3 * DURATION)) s)"
read -r BACKEND_RPS BACKEND_P99 < <(measure "http://127.0.0.1:$BACKEND_PORT/pets")
read -r GATEWAY_RPS GATEWAY_P99 < <(measure "http://127.0.0.1:$GATEWAY_PORT/prod/pets")
read -r PROXY_RPS PROXY_P99 < <(measure "http://127.0.0.1:$PROXY_PORT/prod/pets")

printf '\n%-44s %14s %10s\n' "GET /pets, wrk -t$THREADS -c$CONNECTIONS ${DURATION}s, $(nproc) cores" "requests/s" "p99"
printf '%-44s %14s %10s\n' "(a) backend alone (nginx, static JSON)" "$BACKEND_RPS" "$BACKEND_P99"
printf '%-44s %14s %10s\n' "(b) gateway serve, HTTP_PROXY -> backend" "$GATEWAY_RPS" "$GATEWAY_P99"
printf '%-44s %14s %10s\n' "(c) nginx proxy_pass -> backend" "$PROXY_RPS" "$PROXY_P99"
