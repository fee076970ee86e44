#!/usr/bin/env bash
# Install the system packages the tests use and start the services they talk to when down.
set -euo pipefail

need_apt=()
command -v bwrap >/dev/null || need_apt+=(bubblewrap)
# the sandbox's seccomp filters load the system libseccomp through pyseccomp
/sbin/ldconfig -p | grep 'libseccomp\.so\.2' >/dev/null || need_apt+=(libseccomp2)
# the web service's tests: a browser for Playwright, PostgreSQL and Redis servers
command -v chromium >/dev/null || need_apt+=(chromium)
# axe-core for the accessibility checks, installed by the tests with npm into build/axe-core
command -v npm >/dev/null || need_apt+=(npm)
command -v docker-compose >/dev/null || need_apt+=(docker-compose)
command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
command -v redis-server >/dev/null || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

# Start PostgreSQL and Redis when they are not answering (the web service's live tests).
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
  sleep 1
done
