"""Entry point of the worker: `celery -A workers.make_celery worker`."""

from grader import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
