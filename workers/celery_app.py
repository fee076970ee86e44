"""Bind Celery to the Flask app: settings that make grading survive crashes, tasks in app context.

Parts and files: celery_app.py (settings), make_celery.py (the worker's entry point),
tasks.py (the grade and sweep tasks), lifecycle.py (a grading's states on its database row),
sweeper.py (re-queue what waited too long or what a dead worker held).
"""

from __future__ import annotations

from celery import Celery, Task
from celery.signals import celeryd_after_setup
from flask import Flask


def celery_settings(config: dict) -> dict:
    """Translate the app's config into Celery settings."""
    hard_limit = config["GRADE_HARD_TIME_LIMIT"]
    broker = config["CELERY_BROKER_URL"]
    transport_options: dict = {}
    if broker.startswith(("redis", "rediss")):
        transport_options = {
            # Redis hands an unacknowledged task to another worker after this long, so it must
            # exceed the longest grading run (else a slow grading would be started twice).
            "visibility_timeout": max(3600, 4 * hard_limit),
            "socket_connect_timeout": 3,
            "socket_timeout": 10,
        }
    # The embedded sqla+sqlite queue takes no options: kombu hands them all to create_engine.
    return {
        "broker_url": broker,
        "broker_transport_options": transport_options,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 3,
        # Results live in the database; nobody waits on a Celery result.
        "task_ignore_result": True,
        "result_backend": None,
        # Acknowledge only once the grading is stored; a killed child's task comes back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,  # a busy worker must not sit on waiting jobs
        "task_default_queue": config["CELERY_QUEUE"],
        # Above the sandbox's own wall limits (a grading is a few runs of at most 30-60 s):
        # the soft limit raises inside the task (a system failure, retried); the hard one
        # kills the process, and the sweep finds the silent claim and queues it again
        # (repeated deaths end in error).
        "task_annotations": {
            "workers.tasks.grade": {
                "soft_time_limit": config["GRADE_SOFT_TIME_LIMIT"],
                "time_limit": hard_limit,
            }
        },
        # Fail fast when the broker is down: the submission is stored and the sweep queues it.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "task_serializer": "json",
        "accept_content": ["json"],
        "include": ["workers.tasks"],
        "beat_schedule": {
            "sweep": {
                "task": "workers.tasks.sweep",
                "schedule": float(config["SWEEP_SECONDS"]),
                "options": {"expires": float(config["SWEEP_SECONDS"])},  # skip sweeps gone stale
            },
        },
    }


def celery_init_app(app: Flask) -> Celery:
    """Create the app's Celery instance; its tasks run inside the app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object(celery_settings(app.config))
    if app.config.get("GRADER_WARM_UP"):
        celeryd_after_setup.connect(_warm_up_in_app(app), weak=False)
    celery_app.conf.beat_schedule_filename = f"{app.instance_path}/celerybeat-schedule"
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app


def _warm_up_in_app(app: Flask):
    """Runs in the worker's parent once logging is set up, before the pool forks."""

    def warm(**_):
        from grader.grading.warmup import warm_up

        with app.app_context():
            warm_up()

    return warm
