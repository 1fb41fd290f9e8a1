#!/usr/bin/env bash
# Owner downloads: lockerd GET /v1/documents/{id}/content (session, durable audit entry, decrypt,
# send) beside nginx serving the same 1,000 plaintext 100 KB files with sendfile, in one run on
# this machine. Both with `wrk -t2 -c32 --latency` and a random document per request. Prints
# req/s, p99 and CPU time per request (user + system from /proc/PID/stat over the measured run:
# lockerd's process; nginx's master and worker) for each, and the ratios lockerd/nginx (targets:
# req/s >= 0.5x, p99 <= 1x, lockerd CPU <= 100 us per 100 KB); saves to bench/results/.
#   usage: bench/download.sh [SECONDS]   (default 10; BENCH_DOCS=1000, BENCH_DOC_BYTES=102400)
#   BENCH_MODE=share: lockerd answers POST /v1/shares/redeem with a document-scope grant of a
#   random document instead (a use spent and audited durably per request); nginx as above.
#   BENCH_PROFILE=1: also samples lockerd with `perf record -e cpu-clock -g` during the measured
#   run and prints where a request's CPU microseconds go, by component (bench_helpers.py
#   profile-report); needs Debian's linux-perf.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds="${1:-10}"
docs="${BENCH_DOCS:-1000}"
doc_bytes="${BENCH_DOC_BYTES:-102400}"

trap bench_cleanup EXIT
trap 'exit 130' INT TERM
bench_install_deps wrk nginx curl
bench_build
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

bench_work=$(mktemp -d /tmp/locker-bench-download-XXXXXX)
bench_start_lockerd
echo "lockerd on $lockerd_base; pushing $docs x $doc_bytes B documents for one citizen..." >&2
python3 bench/bench_helpers.py seed-downloads "$lockerd_base" "$storage" "$LOCKER_CLI" "$bench_work" "$docs" "$doc_bytes"
token=$(cat "$bench_work/token")
mode="${BENCH_MODE:-owner}"
if [ "$mode" = share ]; then
  echo "making a document-scope grant of each document..." >&2
  python3 bench/bench_helpers.py make-grants "$lockerd_base" "$bench_work"
fi

# nginx: one worker, no access log, sendfile, the same files (its worker runs unprivileged).
chmod 0711 "$bench_work"
chmod -R a+rX "$bench_work/www"
nginx_port=$(bench_free_port)
mkdir -p "$bench_work/nginx"
cat >"$bench_work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $bench_work/nginx/nginx.pid;
error_log $bench_work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 65;
  types { application/pdf pdf; }
  default_type application/octet-stream;
  client_body_temp_path $bench_work/nginx/body;
  proxy_temp_path $bench_work/nginx/proxy;
  fastcgi_temp_path $bench_work/nginx/fastcgi;
  uwsgi_temp_path $bench_work/nginx/uwsgi;
  scgi_temp_path $bench_work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $bench_work/www;
  }
}
EOF
"$nginx_bin" -p "$bench_work/nginx" -e "$bench_work/nginx/error.log" -c "$bench_work/nginx/nginx.conf" &
bench_pids+=($!)
bench_wait_http "http://127.0.0.1:$nginx_port$(head -1 "$bench_work/nginx-paths.txt")" 20

nginx_master=${bench_pids[-1]}
nginx_pids=("$nginx_master" $(pgrep -P "$nginx_master"))
lockerd_pid=${bench_pids[0]}
# lockerd_load NAME DURATION : the load on lockerd for this mode.
lockerd_load() {
  if [ "$mode" = share ]; then
    wrk -t2 -c32 -d"$2" --timeout 10s --latency -s bench/wrk-redeem.lua "$lockerd_base" -- "$bench_work/tokens.txt" \
      >"$bench_work/wrk-$1.txt" 2>&1
  else
    bench_wrk_get "$1" "$lockerd_base" "$2" "$bench_work/lockerd-paths.txt" "$token"
  fi
}
echo "warming up (2 s each)..." >&2
bench_wrk_get warm-nginx "http://127.0.0.1:$nginx_port" 2s "$bench_work/nginx-paths.txt"
lockerd_load warm-lockerd 2s
echo "measuring nginx (${seconds}s)..." >&2
before=$(bench_cpu_ticks "${nginx_pids[@]}")
bench_wrk_get nginx "http://127.0.0.1:$nginx_port" "${seconds}s" "$bench_work/nginx-paths.txt"
nginx_ticks=$(($(bench_cpu_ticks "${nginx_pids[@]}") - before))
echo "measuring lockerd, $mode (${seconds}s)..." >&2
before=$(bench_cpu_ticks "$lockerd_pid")
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  perf record -q -F 1999 -e cpu-clock -g -p "$lockerd_pid" -o "$bench_work/perf.data" -- sleep "$seconds" 2>/dev/null &
  perf_pid=$!
fi
lockerd_load lockerd "${seconds}s"
lockerd_ticks=$(($(bench_cpu_ticks "$lockerd_pid") - before))
[ "${BENCH_PROFILE:-0}" = 1 ] && wait "$perf_pid"

mkdir -p bench/results
out="bench/results/download-$mode-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  python3 bench/bench_helpers.py download-report "$bench_work/wrk-nginx.txt" "$bench_work/wrk-lockerd.txt" "$docs" "$doc_bytes" \
    "$nginx_ticks" "$lockerd_ticks" "$(getconf CLK_TCK)" "$mode"
  echo
  echo "## wrk output: nginx"; cat "$bench_work/wrk-nginx.txt"
  echo "## wrk output: lockerd"; cat "$bench_work/wrk-lockerd.txt"
  if [ "${BENCH_PROFILE:-0}" = 1 ]; then
    echo
    perf report -i "$bench_work/perf.data" --no-children --sort dso,sym --stdio -q 2>/dev/null |
      python3 bench/bench_helpers.py profile-report "$bench_work/wrk-lockerd.txt" "$lockerd_ticks" "$(getconf CLK_TCK)"
  fi
} >"$out"
sed '/^## wrk output/,$d' "$out"
echo "saved $out" >&2
