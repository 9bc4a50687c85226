#!/usr/bin/env bash
# Runs the GetUser load benchmark against a release build of the server on 127.0.0.1, with
# the audit trail on and off, at 1, 8, 32 and 128 connections. Requests are signed by an IAM
# user whose inline policy allows iam:GetUser; set CALLERS="user root" to add runs signed by
# the root user. Each server starts on a free port with a fresh data directory and is
# stopped at the end. The output adds the server's CPU time per request, which depends less
# on other load than requests per second does.
#
# Usage: load-benchmark.sh [SECONDS_PER_RUN]. SERVER=PATH runs another build of the server,
# such as a copy of an earlier one, for a before-and-after comparison.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-10}"
callers="${CALLERS:-user}"
cargo build --release --quiet -p iam-server --bin iam-server --example load
server="${SERVER:-target/release/iam-server}"
load=target/release/examples/load

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

for audit in true false; do
    port="$(free_port)"
    data_dir="$(mktemp -d)"
    "$server" --listen "127.0.0.1:$port" --data-dir "$data_dir" --audit "$audit" \
        --log-level warn &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$data_dir"' EXIT
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    for caller in $callers; do
        for connections in 1 8 32 128; do
            printf 'audit=%s ' "$audit"
            "$load" --endpoint "127.0.0.1:$port" --credentials "$data_dir/root-credentials.json" \
                --caller "$caller" --connections "$connections" --seconds "$seconds" \
                --server-pid "$server_pid"
        done
    done
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    trap - EXIT
    rm -rf "$data_dir"
done
