#!/usr/bin/env bash
# Runs the GetUser load benchmark against a release build of the server on 127.0.0.1, with
# the audit trail on and off, at 1, 8, 32 and 128 connections. The load comes from wrk
# (2 threads, one for a single connection). The load example (examples/load.rs) creates the
# users and the key, signs one request with SigV4 and writes it as the wrk Lua script that
# every request of a run repeats. Requests are signed by an IAM user whose inline policy
# allows iam:GetUser; set CALLERS="user root" to add runs signed by the root user. Each
# server starts on a free port with a fresh data directory and is stopped at the end. The
# output adds the server's CPU time per request (user and system, from /proc/PID/stat around
# the run), which depends less on other load than requests per second does.
#
# Usage: load-benchmark.sh [SECONDS_PER_RUN]. SERVER=PATH runs another build of the server,
# such as a copy of an earlier one, for a before-and-after comparison. AUDIT="false" runs
# only the server with the trail off. SERVER_ARGS adds options to the server's command line,
# such as "--threads 1".
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-10}"
callers="${CALLERS:-user}"
audits="${AUDIT:-true false}"
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)" >&2; exit 1; }
cargo build --release --quiet -p iam-server --bin iam-server --example load
server="${SERVER:-target/release/iam-server}"
load=target/release/examples/load
clock_ticks="$(getconf CLK_TCK)"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints a process's CPU time so far, user plus system, in clock ticks. The command name in
# brackets may contain spaces, so fields are counted after the last `)`.
cpu_ticks() {
    local stat
    stat="$(cat "/proc/$1/stat")"
    awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

for audit in $audits; do
    port="$(free_port)"
    data_dir="$(mktemp -d)"
    "$server" --listen "127.0.0.1:$port" --data-dir "$data_dir" --audit "$audit" \
        --log-level warn ${SERVER_ARGS:-} &
    server_pid=$!
    trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$data_dir"' EXIT
    for _ in $(seq 100); do
        curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    for caller in $callers; do
        for connections in 1 8 32 128; do
            script="$data_dir/get-user.lua"
            "$load" --endpoint "127.0.0.1:$port" --credentials "$data_dir/root-credentials.json" \
                --caller "$caller" --wrk-script "$script"
            threads=$((connections < 2 ? connections : 2))
            before="$(cpu_ticks "$server_pid")"
            result="$(wrk --threads "$threads" --connections "$connections" \
                --duration "${seconds}s" --latency --script "$script" \
                "http://127.0.0.1:$port/" | grep '^requests=')"
            after="$(cpu_ticks "$server_pid")"
            requests="$(sed 's/^requests=\([0-9]*\).*/\1/' <<<"$result")"
            cpu="$(awk -v ticks=$((after - before)) -v hz="$clock_ticks" -v n="$requests" \
                'BEGIN { printf "%.1f", ticks / hz * 1e6 / (n > 0 ? n : 1) }')"
            echo "audit=$audit caller=$caller connections=$connections $result" \
                "server_cpu_us_per_request=$cpu"
        done
    done
    kill -TERM "$server_pid"
    wait "$server_pid" || true
    trap - EXIT
    rm -rf "$data_dir"
done
