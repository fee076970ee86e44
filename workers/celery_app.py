"""Bind Celery to the Flask app: settings that make grading survive crashes, tasks in app context.

Parts and files: celery_app.py (settings), make_celery.py (the worker's entry point),
tasks.py (the grade and sweep tasks), lifecycle.py (a grading's states on its database row),
sweeper.py (re-queue what waited too long or what a dead worker held).
"""

from __future__ import annotations

from celery import Celery, Task
from celery.signals import celeryd_after_setup
from flask import Flask

from grader.queue import GRADE_TASK, LTI_GRADE_TASK, SWEEP_TASK, client_settings


def worker_settings(config) -> dict:
    """The queue's shared settings (grader/queue.py) plus what only the consumers need."""
    return {
        **client_settings(config),
        # Acknowledge only once the grading is stored; a killed child's task comes back.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,  # a busy worker must not sit on waiting jobs
        # Above the grading budget (GRADE_BUDGET_SECONDS bounds a student's code, every rerun
        # included): they fire only when the grader itself hangs. The soft limit raises
        # inside the task (recorded as the grader's failure, not retried); the hard one kills
        # the process, and the sweep finds the silent claim and queues it again (repeated
        # deaths end in error).
        "task_annotations": {
            GRADE_TASK: {
                "soft_time_limit": config["GRADE_SOFT_TIME_LIMIT"],
                "time_limit": config["GRADE_HARD_TIME_LIMIT"],
            },
            # A grade post's few calls each time out (grader/lti/http.py); this bounds the whole,
            # so a grading waiting behind it never waits long for an LMS (docs/lti.md).
            LTI_GRADE_TASK: {"soft_time_limit": 60, "time_limit": 90},
        },
        "include": ["workers.tasks"],
        "beat_schedule": {
            "sweep": {
                "task": SWEEP_TASK,
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
    celery_app.config_from_object(worker_settings(app.config))
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
