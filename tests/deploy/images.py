"""Stand-ins for the base images the project names, built from Debian packages (no registry).

A minimal Debian rootfs (mmdebstrap, minbase) is imported once and cached: the tarball under
the user's cache directory and the image in the engine, both keyed by the recipe. On it sit
small images tagged with the exact names the Dockerfile and docker-compose.yml use:
python:3.11-slim-bookworm (Debian's Python 3.11 as a venv in /usr/local, like the real image),
postgres:16-alpine (Debian bookworm's PostgreSQL 15, with the real image's POSTGRES_* start-up
contract) and redis:7-alpine (Debian's Redis 7). The machine's own CA certificates go into the
base, since pip inside a build reaches PyPI only with them. Docker's build cache makes a second
build of an unchanged recipe take a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SUITE = "bookworm"
DEBIAN_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")  # the archive apt uses here
MACHINE_CAS = Path("/usr/local/share/ca-certificates")
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "autodiff-autograder"

PYTHON_IMAGE = "python:3.11-slim-bookworm"
POSTGRES_IMAGE = "postgres:16-alpine"
REDIS_IMAGE = "redis:7-alpine"

PYTHON_RECIPE = """\
FROM {base}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends python3 python3-venv \\
 && rm -rf /var/lib/apt/lists/* \\
 && python3 -m venv /usr/local
CMD ["python3"]
"""

# The real image's contract: POSTGRES_USER/PASSWORD/DB create the cluster on first start,
# password auth from other hosts, a fast shutdown on SIGINT.
POSTGRES_ENTRYPOINT = """\
#!/bin/sh
set -eu
bin=/usr/lib/postgresql/15/bin
export PGDATA=/var/lib/postgresql/data
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    printf '%s' "$POSTGRES_PASSWORD" > /tmp/pwfile
    chown postgres /tmp/pwfile
    as_postgres "$bin/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile=/tmp/pwfile \\
        -E UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256
    rm /tmp/pwfile
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    as_postgres "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start
    if [ "$POSTGRES_DB" != postgres ]; then
        as_postgres psql -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \\"$POSTGRES_DB\\""
    fi
    as_postgres "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \\
    "$bin/postgres" -D "$PGDATA" -c listen_addresses='*'
"""

POSTGRES_RECIPE = """\
FROM {base}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends postgresql \\
 && rm -rf /var/lib/apt/lists/*
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV LANG=C.UTF-8
STOPSIGNAL SIGINT
ENTRYPOINT ["sh", "/usr/local/bin/docker-entrypoint.sh"]
"""

# Like the real image's entrypoint: Redis runs as its own user and, started as redis-server,
# without protected mode (it is reached over the compose network, never published).
REDIS_ENTRYPOINT = """\
#!/bin/sh
set -eu
if [ "${1:-}" = redis-server ]; then
    set -- "$@" --protected-mode no
fi
chown redis:redis /data
exec setpriv --reuid=redis --regid=redis --init-groups "$@"
"""

REDIS_RECIPE = """\
FROM {base}
RUN apt-get update \\
 && apt-get install -y --no-install-recommends redis-server \\
 && rm -rf /var/lib/apt/lists/* \\
 && mkdir -p /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
ENTRYPOINT ["sh", "/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
"""

BASE_RECIPE = """\
FROM {rootfs}
COPY ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
ENV LANG=C.UTF-8 PIP_CERT=/etc/ssl/certs/ca-certificates.crt
"""


def docker(*args: str, timeout: float = 900, **options) -> subprocess.CompletedProcess:
    """Run the docker client; fail with its output when it fails."""
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout,
                          **options)
    if done.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args[:3])} failed:\n{done.stdout[-3000:]}\n"
                           f"{done.stderr[-3000:]}")
    return done


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:12]


def has_image(name: str) -> bool:
    """Whether the engine holds an image of that name."""
    return subprocess.run(["docker", "image", "inspect", name], capture_output=True).returncode == 0


def rootfs_image() -> str:
    """A minbase Debian image, imported from a cached (or freshly made) rootfs tarball."""
    command = ["mmdebstrap", "--variant=minbase", "--include=ca-certificates", SUITE]
    key = _key(*command, DEBIAN_SOURCES.read_text())
    name = f"autograder-stand-in/rootfs:{key}"
    if has_image(name):
        return name
    tarball = CACHE / f"rootfs-{SUITE}-{key}.tar"
    if not tarball.exists():
        if shutil.which("mmdebstrap") is None:
            raise RuntimeError("mmdebstrap is not installed (scripts/setup-system.sh installs it)")
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = tarball.with_suffix(".partial.tar")
        subprocess.run([*command, str(partial), str(DEBIAN_SOURCES)], check=True,
                       capture_output=True, timeout=900)
        partial.rename(tarball)
    docker("import", str(tarball), name)
    return name


def build(tag: str, recipe: str, files: dict[str, bytes] | None = None) -> str:
    """Build `recipe` (a Dockerfile) with `files` beside it, tagged `tag`, without BuildKit."""
    with tempfile.TemporaryDirectory(prefix="stand-in-") as context:
        Path(context, "Dockerfile").write_text(recipe)
        for name, data in (files or {}).items():
            Path(context, name).parent.mkdir(parents=True, exist_ok=True)
            Path(context, name).write_bytes(data)
        docker("build", "--tag", tag, context, env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return tag


def build_repository(tag: str, recipe: str) -> str:
    """Build `recipe` with the repository as its context (.dockerignore applies)."""
    from tests.support.live import REPOSITORY

    docker("build", "--tag", tag, "--file", "-", str(REPOSITORY), input=recipe,
           env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return tag


def base_image() -> str:
    """Minbase Debian with the machine's CA certificates: the root of every stand-in."""
    cas = {f"ca/{path.name}": path.read_bytes() for path in sorted(MACHINE_CAS.glob("*.crt"))}
    cas.setdefault("ca/.keep", b"")
    return build("autograder-stand-in/debian:bookworm",
                 BASE_RECIPE.format(rootfs=rootfs_image()), cas)


def stand_in_images() -> dict[str, str]:
    """Build (or find cached) every stand-in; return {role: image name}."""
    base = base_image()
    build(PYTHON_IMAGE, PYTHON_RECIPE.format(base=base))
    build(POSTGRES_IMAGE, POSTGRES_RECIPE.format(base=base),
          {"postgres-entrypoint.sh": POSTGRES_ENTRYPOINT.encode()})
    build(REDIS_IMAGE, REDIS_RECIPE.format(base=base),
          {"redis-entrypoint.sh": REDIS_ENTRYPOINT.encode()})
    return {"debian": base, "python": PYTHON_IMAGE, "postgres": POSTGRES_IMAGE,
            "redis": REDIS_IMAGE}
