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
# Dependencies first, at the versions the test suite ran with (constraints.txt), so that a
# change to the code rebuilds only the last layers.
COPY pyproject.toml constraints.txt ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
 && pip install -c constraints.txt -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
COPY . .
# Editable: the service reads assignments/ and reference/kit/ beside the code.
# The grader user's home is a writable directory of its own (gunicorn's control socket lives
# there; the code in /app stays read-only for it). matplotlib (imported by the similarity
# check) builds its font cache here, once, instead of in every process at every start.
ENV MPLCONFIGDIR=/var/cache/matplotlib
RUN pip install --no-deps -c constraints.txt -e . \
 && useradd --system --uid 10001 --create-home --home-dir /home/grader grader \
 && mkdir -p /app/instance "$MPLCONFIGDIR" \
 && python -c "import matplotlib.font_manager" \
 && chown -R grader "$MPLCONFIGDIR" /app/instance

# The web app and beat run unprivileged; the worker runs as root because the sandbox
# switches each run to its own unprivileged uid (docker-compose.yml sets user: root).
USER grader
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "2", \
     "--access-logfile", "-", "grader:create_app()"]
