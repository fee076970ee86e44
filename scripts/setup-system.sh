#!/usr/bin/env bash
# What the test suite needs from the machine, for `make test` on a fresh Debian/Ubuntu:
# the system packages (installed when run as root, else named), Docker Compose v2, and the
# PostgreSQL and Redis servers the live tests talk to (started when they do not answer).
set -euo pipefail

say() { printf 'setup-system: %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# --- system packages: one check per package, by what the suite uses from it --------------
need=()
command -v bwrap >/dev/null || need+=(bubblewrap)                 # the sandbox
/sbin/ldconfig -p | grep -q 'libseccomp\.so\.2' || need+=(libseccomp2)  # its seccomp filter
command -v setpriv >/dev/null || need+=(util-linux)               # uid drop, rlimits
command -v chromium >/dev/null || need+=(chromium)                # browser tests (Playwright)
command -v npm >/dev/null || need+=(npm)                          # their axe-core checks
command -v pg_ctlcluster >/dev/null || need+=(postgresql)         # live tests' database
command -v redis-server >/dev/null || need+=(redis-server)         # live tests' broker
command -v dockerd >/dev/null || need+=(docker.io)                # the compose and zip tests
command -v iptables-save >/dev/null || need+=(iptables)            # put back what dockerd set
command -v ip >/dev/null || need+=(iproute2)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)            # stand-in base images
command -v dpkg-deb >/dev/null || need+=(dpkg)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)  # make setup's .venv

apt_get() { DEBIAN_FRONTEND=noninteractive apt-get "$@"; }
if [ ${#need[@]} -gt 0 ]; then
    if ! is_root; then
        say "missing system packages: ${need[*]}"
        say "install them (sudo apt-get install ${need[*]}) or run 'make test' as root"
        exit 1
    fi
    say "installing ${need[*]}"
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Docker Compose v2: Debian trixie's docker-compose package, unpacked as a CLI plugin ----
# (bookworm's docker-compose is 1.29, which the compose file does not support).
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
compose_v2() { docker compose version --short 2>/dev/null | grep -q '^v\?2\.'; }
if ! compose_v2; then
    if ! is_root; then
        say "Docker Compose v2 is missing: install the docker-compose-plugin (or Debian trixie's"
        say "docker-compose) package, or run 'make test' as root"
        exit 1
    fi
    say "installing Docker Compose v2 from Debian trixie's docker-compose package"
    apt_dir=$(mktemp -d)
    trap 'rm -rf "$apt_dir"' EXIT
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources"
    cat > "$apt_dir/sources/trixie.sources" <<EOF
Types: deb
URIs: $(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
        || echo http://deb.debian.org/debian)
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    private_apt=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/sources"
                 -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
                 -o Dir::State::status=/dev/null -o Debug::NoLocking=1)
    apt-get "${private_apt[@]}" update -qq
    (cd "$apt_dir" && apt-get "${private_apt[@]}" download docker-compose 2>/dev/null)
    dpkg -x "$apt_dir"/docker-compose_*.deb "$apt_dir/unpacked"
    install -D -m 0755 "$apt_dir/unpacked/usr/libexec/docker/cli-plugins/docker-compose" \
        "$PLUGIN_DIR/docker-compose"
    compose_v2 || { say "docker compose still does not answer as v2"; exit 1; }
fi

# --- PostgreSQL and Redis on 127.0.0.1, as the live tests expect -------------------------
postgres_answers() { pg_isready -q -h 127.0.0.1 -p 5432; }
if ! postgres_answers; then
    is_root || { say "PostgreSQL does not answer on 127.0.0.1:5432: start it"; exit 1; }
    cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
fi
for _ in $(seq 1 30); do postgres_answers && break; sleep 1; done
# The tests connect as postgres over TCP without a password to a database named test.
if ! psql -h 127.0.0.1 -U postgres -d test -c 'SELECT 1' >/dev/null 2>&1; then
    is_root || { say "PostgreSQL: allow 'postgres' from 127.0.0.1 (trust) and create db test"; exit 1; }
    cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$cluster/main/pg_hba.conf
    if ! grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
        say "PostgreSQL: trusting the postgres user on the loopback (a test machine)"
        sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
        pg_ctlcluster --skip-systemctl-redirect "$cluster" main reload
    fi
    psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" \
        | grep -q 1 || psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    is_root || { say "Redis does not answer on 127.0.0.1:6379: start it"; exit 1; }
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
postgres_answers && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null
