"""The grading queue as the web sees it: publish a job by its task's name, never by import.

The web only produces messages; the workers (workers/celery_app.py) consume them with the
same broker settings, defined here so that both sides agree and the web never imports
`workers`.
"""

from __future__ import annotations

from celery import Celery

GRADE_TASK = "workers.tasks.grade"
SWEEP_TASK = "workers.tasks.sweep"
LTI_GRADE_TASK = "workers.tasks.post_lti_grade"


def client_settings(config) -> dict:
    """The Celery settings every side of the queue shares, from the app's config."""
    broker = config["CELERY_BROKER_URL"]
    transport_options: dict = {}
    if broker.startswith(("redis", "rediss")):
        transport_options = {
            # Redis hands an unacknowledged task to another worker after this long, so it must
            # exceed the longest grading run (else a slow grading would be started twice).
            "visibility_timeout": max(3600, 4 * config["GRADE_HARD_TIME_LIMIT"]),
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
        "task_default_queue": config["CELERY_QUEUE"],
        # Fail fast when the broker is down: the submission is stored and the sweep queues it.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        "task_serializer": "json",
        "accept_content": ["json"],
    }


def init_app(app) -> Celery:
    """Give the app a Celery client that publishes to the grading queue."""
    client = Celery(app.name)
    client.config_from_object(client_settings(app.config))
    app.extensions["celery"] = client
    return client


def publish_grading(celery: Celery, submission_id: int) -> None:
    """Queue the grading of a stored submission; raises when the broker cannot take it."""
    celery.send_task(GRADE_TASK, args=[submission_id])


def publish_lti_grade(celery: Celery, user_id: int, slug: str) -> None:
    """Queue the posting of a student's counted grade on slug to their LMS courses."""
    celery.send_task(LTI_GRADE_TASK, args=[user_id, slug])
