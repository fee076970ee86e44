"""Entry point of the worker: `celery -A workers.make_celery worker`."""

from grader import create_app
from workers.celery_app import celery_init_app

flask_app = create_app()
celery_app = celery_init_app(flask_app)
