#!/usr/bin/env bash
# Owner downloads: lockerd GET /v1/documents/{id}/content (session, decrypt, stream) beside nginx
# serving the same 1,000 plaintext 100 KB files, in one run on this machine. Both with
# `wrk -t2 -c32 --latency` and a random document per request. Prints req/s and p99 for each and
# the ratios lockerd/nginx (targets: req/s >= 0.6x, p99 <= 2x); saves to bench/results/.
#   usage: bench/download.sh [SECONDS]   (default 10; BENCH_DOCS=1000, BENCH_DOC_BYTES=102400)
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

echo "warming up (2 s each)..." >&2
bench_wrk_get warm-nginx "http://127.0.0.1:$nginx_port" 2s "$bench_work/nginx-paths.txt"
bench_wrk_get warm-lockerd "$lockerd_base" 2s "$bench_work/lockerd-paths.txt" "$token"
echo "measuring nginx (${seconds}s)..." >&2
bench_wrk_get nginx "http://127.0.0.1:$nginx_port" "${seconds}s" "$bench_work/nginx-paths.txt"
echo "measuring lockerd (${seconds}s)..." >&2
bench_wrk_get lockerd "$lockerd_base" "${seconds}s" "$bench_work/lockerd-paths.txt" "$token"

mkdir -p bench/results
out="bench/results/download-$(date -u +%Y%m%dT%H%M%SZ).txt"
{
  python3 bench/bench_helpers.py download-report "$bench_work/wrk-nginx.txt" "$bench_work/wrk-lockerd.txt" "$docs" "$doc_bytes"
  echo
  echo "## wrk output: nginx"; cat "$bench_work/wrk-nginx.txt"
  echo "## wrk output: lockerd"; cat "$bench_work/wrk-lockerd.txt"
} >"$out"
sed '/^## wrk output/,$d' "$out"
echo "saved $out" >&2
