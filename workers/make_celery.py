"""Entry point of the worker: `celery -A workers.make_celery worker`."""

import os

from grader import create_app
from workers.celery_app import celery_init_app

# Workers keep a pre-started sandbox per pool process (grader/grading/sandbox/spare.py);
# GRADER_SPARE_SANDBOX=0 in the environment turns it off.
os.environ.setdefault("GRADER_SPARE_SANDBOX", "1")

flask_app = create_app()
celery_app = celery_init_app(flask_app)
