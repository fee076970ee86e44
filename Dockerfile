# One image for every role of the grading service: web (gunicorn), worker and beat (Celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=grader \
    GRADER_INSTANCE_PATH=/app/instance

# The sandbox runs student code under bubblewrap with a seccomp filter (docs/sandbox.md);
# prlimit and setpriv come with util-linux.
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap libseccomp2 util-linux \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . .
# Editable: the service reads assignments/ and reference/kit/ beside the code.
RUN pip install -e . \
 && useradd --system --uid 10001 --home-dir /app grader \
 && mkdir -p /app/instance \
 && chown grader /app/instance

# The web app and beat run unprivileged; the worker runs as root because the sandbox
# switches each run to its own unprivileged uid (docker-compose.yml sets user: root).
USER grader
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "2", \
     "--access-logfile", "-", "grader:create_app()"]
