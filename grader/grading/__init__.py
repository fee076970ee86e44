"""The grading core: run a submission in the sandbox, judge each case, write the result document.

It stands alone (no Flask, no SQLAlchemy, no Celery): the workers, the command line and the
Gradescope zip all run exactly this, with the kit (reference/) and the assignments. Importing
the package loads nothing, so the web can read results without loading the sandbox.

- assignments.py: the catalogue (each assignment's folder and manifest)
- pipeline.py: a grading's steps (prepare, run in the sandbox, check, report), budget.py
- records.py, *_cases.py, outcome.py, diagnosis.py, naming.py: judging what the run returned
- results.py: the result document; snapshots.py, trusted.py: reference answers
- submitted_file.py: what a file must be to be graded (the server and the local checks);
  feedback_text.py: how a result reads, on the page and in the terminal alike
- harness/: what runs inside the sandbox beside the submission; sandbox/: the isolation
"""
