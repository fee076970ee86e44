"""`python -m grader.grading SLUG FILE`: grade FILE and print one strict-JSON result document.

The grading core's own command, for the machines that have only the core (the Gradescope zip's
run_autograder): it loads the catalogue and the pipeline and nothing else, where the
`autograder` command (grader/cli) also carries the accounts and the remote client.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from grader.grading.assignments import UnknownAssignment, get_assignment
from grader.grading.pipeline import grade_submission


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.grading", description=__doc__)
    parser.add_argument("slug", help="the assignment")
    parser.add_argument("file", type=Path, help="the submitted file")
    parser.add_argument("--public-only", action="store_true", help="run only the visible tests")
    arguments = parser.parse_args(argv)
    try:
        assignment = get_assignment(arguments.slug)
    except UnknownAssignment as error:
        parser.error(str(error))
    try:
        source = arguments.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        parser.error(f"cannot read {arguments.file} as UTF-8 text: {error}")
    document = grade_submission(assignment.slug, source, public_only=arguments.public_only)
    json.dump(document, sys.stdout, allow_nan=False)  # Gradescope parses strict JSON
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
