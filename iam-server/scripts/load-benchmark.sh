#!/usr/bin/env bash
# Runs the GetUser load benchmark against a release build of the server on 127.0.0.1, with
# the audit trail on and off, at 1, 8, 32 and 128 connections. Each server starts on a fresh
# data directory and is stopped at the end. Usage: load-benchmark.sh [SECONDS_PER_RUN]
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-10}"
port=9571
cargo build --release --quiet -p iam-server --bin iam-server --example load
server=target/release/iam-server
load=target/release/examples/load

for audit in true false; do
    data_dir="$(mktemp -d)"
    "$server" --listen "127.0.0.1:$port" --data-dir "$data_dir" --audit "$audit" \
        --log-level warn &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true' EXIT
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    for connections in 1 8 32 128; do
        printf 'audit=%s ' "$audit"
        "$load" --endpoint "127.0.0.1:$port" --credentials "$data_dir/root-credentials.json" \
            --connections "$connections" --seconds "$seconds"
    done
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    trap - EXIT
    rm -rf "$data_dir"
done
