"""The API's OpenAPI 3.1 description, written as data (tests check it against the routes)."""

from __future__ import annotations


def ref(name: str) -> dict:
    """Point at a schema in components."""
    return {"$ref": f"#/components/schemas/{name}"}


def json_body(schema: dict, description: str) -> dict:
    """Describe a JSON response."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def error(description: str) -> dict:
    """Describe an error response."""
    return json_body(ref("Error"), description)


ERRORS = {
    "401": error("Missing or invalid bearer token."),
    "404": error("No such resource, or not yours."),
    "429": error("Too many requests; see Retry-After."),
}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "Assignment slug: numerical, backprop or autodiff."}
SUBMISSION_ID = {"name": "submission_id", "in": "path", "required": True,
                 "schema": {"type": "integer"}}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
STATUS = {"type": "string", "enum": ["queued", "running", "graded", "error"]}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "examples": ["too_large", "unauthorized"]},
                    "message": {"type": "string"},
                },
            }
        },
    },
    "Assignment": {
        "type": "object",
        "required": ["slug", "title", "submit_file", "points"],
        "properties": {
            "slug": {"type": "string"},
            "title": {"type": "string"},
            "submit_file": {"type": "string", "examples": ["gradient.py"]},
            "points": {"type": "number"},
            "due": {**NULLABLE_TIME, "description": "The caller's own due date: their "
                    "extension, if any, applied."},
            "hard_close": {**NULLABLE_TIME, "description": "The caller's own hard close (an "
                           "extension past it moves it)."},
            "late_penalty_per_day": {"type": "number", "description": "Fraction per started day."},
            "late_penalty_cap": {"type": "number", "description": "Largest total fraction lost."},
            "max_submissions_per_day": {"type": ["integer", "null"],
                                        "description": "Per rolling 24 hours; null: no limit."},
            "score_policy": {"type": "string", "enum": ["best", "last"],
                             "description": "Which submission counts."},
            "extended": {"type": "boolean",
                         "description": "The caller's due date is not the course's: an "
                         "extension on this assignment or a standing accommodation moves it."},
            "counted_score": {"type": ["number", "null"],
                              "description": "The caller's counted grade: the submission that "
                              "counts (best or last), less its late penalty under the policy "
                              "in force; the same number as on the pages and in grades.csv. "
                              "Null: nothing counts yet."},
            "counted_raw_score": {"type": ["number", "null"],
                                  "description": "That submission's score before the penalty."},
            "counted_late_penalty": {"type": "number",
                                     "description": "The fraction of it lost (0 to 1)."},
            "counted_max_score": {"type": ["number", "null"]},
            "counted_submission": {"type": ["integer", "null"],
                                   "description": "The id of the submission that counts."},
            "grade_held": {"type": "boolean",
                           "description": "A regrade of the caller's work runs: the grade is "
                           "the one before it until the regrade ends, then changes at once."},
            "counted_late_days": {"type": "integer",
                                  "description": "Days of the caller's late-day bank spent on "
                                  "this assignment (each removes one started day's penalty)."},
            "late_days_left": {"type": ["integer", "null"],
                               "description": "Late days left in the caller's bank after every "
                               "assignment's spending; null: the course has no late-day bank."},
            "max_group_size": {"type": "integer",
                               "description": "The largest group of partners the assignment "
                               "takes (1: everyone works alone)."},
            "group": {"type": ["array", "null"], "items": {"type": "string"},
                      "description": "The usernames of the confirmed members of the caller's "
                      "group (the caller included); a submission of any of them is everyone's. "
                      "Null: the caller works alone."},
            "late_days_budget": {"type": ["integer", "null"],
                                 "description": "The caller's late days for the term (the "
                                 "course's and any granted to them); null: no bank."},
            "best_score": {"type": ["number", "null"],
                           "description": "Kept for older clients: the same as "
                                          "`counted_score` (whichever the score policy)."},
            "url": {"type": "string", "format": "uri"},
        },
    },
    "SubmissionCreated": {
        "type": "object",
        "required": ["id", "status", "url"],
        "properties": {
            "id": {"type": "integer"},
            "status": STATUS,
            "url": {"type": "string", "format": "uri", "description": "Poll this URL."},
            "html_url": {"type": "string", "format": "uri"},
        },
    },
    "SubmissionSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "assignment": {"type": "string"},
            "user": {"type": "string"},
            "status": STATUS,
            "score": {"type": ["number", "null"],
                      "description": "As in the submission's own document: its counted score."},
            "raw_score": {"type": ["number", "null"], "description": "Before any penalty."},
            "late_penalty": {"type": "number",
                             "description": "Fraction lost, under the policy in force now."},
            "max_score": {"type": ["number", "null"]},
            "counts": {"type": "boolean",
                       "description": "This is the submission the grade counts: a student "
                       "caller's own grade (a partner's submission may count for them), the "
                       "submitter's for an instructor."},
            "submitted_at": {"type": "string", "format": "date-time"},
            "finished_at": NULLABLE_TIME,
            "url": {"type": "string", "format": "uri"},
        },
    },
    "Submission": {
        "type": "object",
        "required": ["id", "status", "result"],
        "properties": {
            "id": {"type": "integer"},
            "assignment": {"type": "string"},
            "user": {"type": "string"},
            "status": STATUS,
            "progress": {"type": ["string", "null"], "description": "What grading is doing now."},
            "submitted_at": {"type": "string", "format": "date-time"},
            "queued_at": NULLABLE_TIME,
            "started_at": NULLABLE_TIME,
            "finished_at": NULLABLE_TIME,
            "attempts": {"type": "integer"},
            "late_penalty": {"type": "number",
                             "description": "Fraction lost, under the policy in force now."},
            "score": {"type": ["number", "null"],
                      "description": "This submission's counted score: its last final "
                                     "grading after the late penalty under the owner's policy "
                                     "in force (extension included); null with a raw_score "
                                     "means it came after the hard close and never counts. "
                                     "A regrade keeps it until the new grading is final."},
            "raw_score": {"type": ["number", "null"],
                          "description": "The last final grading's score, before any penalty."},
            "max_score": {"type": ["number", "null"]},
            "counts": {"type": "boolean",
                       "description": "This is the submission the grade counts: a student "
                       "caller's own grade (a partner's submission may count for them), the "
                       "submitter's for an instructor."},
            "group": {"type": ["array", "null"], "items": {"type": "string"},
                      "description": "Handed in for a group: its confirmed members' usernames "
                      "(every one of them sees it, and it counts for each). Null otherwise."},
            "late_days": {"type": "integer",
                          "description": "Days of the owner's late-day bank spent on the "
                          "assignment: the score and late_penalty already include them."},
            "late_days_left": {"type": ["integer", "null"],
                               "description": "Days left in that bank after every assignment's "
                               "spending; null: the course has no late-day bank."},
            "regrading": {"type": "boolean",
                          "description": "Graded before and being graded again: score and "
                                         "result are the last final grading's until then."},
            "error": {"type": ["string", "null"]},
            "result": {"oneOf": [{"type": "null"}, ref("Result")],
                       "description": "The last final grading's result document (kept while "
                                      "a regrade runs); null before the first one."},
            "partial_result": {
                "oneOf": [{"type": "null"}, ref("Result")],
                "description": "While `status` is `running`: the public tests' verdict, once "
                               "they are judged and before the hidden and scale tests finish. "
                               "It has `\"partial\": true` and lists the tests still running "
                               "in `pending_tests` (status `pending`); its score is the public "
                               "tests' only and never counts. Null otherwise.",
            },
        },
    },
    "Result": {
        "type": "object",
        "description": "Gradescope-style result document; hidden tests show only their outcome "
        "to students.",
        "properties": {
            "score": {"type": "number"},
            "max_score": {"type": "number"},
            "execution_time": {"type": "number"},
            "output": {"type": "string"},
            "tests": {"type": "array", "items": ref("TestResult")},
            "extra_data": {"type": "object"},
            "partial": {"type": "boolean",
                        "description": "Present and true only in a partial result."},
            "pending_tests": {
                "type": "array",
                "description": "In a partial result: the tests still running.",
                "items": ref("PendingTest"),
            },
        },
    },
    "PendingTest": {
        "type": "object",
        "description": "A test not judged yet: no outcome, never a failure.",
        "properties": {
            "name": {"type": "string"},
            "number": {"type": "string"},
            "max_score": {"type": "number"},
            "status": {"type": "string", "enum": ["pending"]},
            "visibility": {"type": "string",
                           "enum": ["visible", "hidden", "after_due_date", "after_published"]},
            "hidden": {"type": "boolean", "description": "Details withheld from students."},
            "withheld": {"type": "string", "enum": ["until_due", "always"]},
        },
    },
    "TestResult": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "number": {"type": "string"},
            "score": {"type": "number"},
            "max_score": {"type": "number"},
            "status": {"type": "string", "enum": ["passed", "failed"]},
            "output": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "visibility": {
                "type": "string",
                "enum": ["visible", "hidden", "after_due_date", "after_published"],
            },
            "hidden": {"type": "boolean", "description": "Details withheld from students."},
            "withheld": {"type": "string", "enum": ["until_due", "always"],
                         "description": "Why a student cannot read the details: they open "
                                        "after the due date, or never."},
            "extra_data": {
                "type": "object",
                "properties": {"diagnosis": ref("Diagnosis")},
            },
        },
    },
    "Diagnosis": {
        "type": "object",
        "properties": {
            "category": {"type": "string"},
            "node": {"type": "string"},
            "op": {"type": "string"},
            "expected": {},
            "received": {},
            "abs_error": {"type": "number"},
            "rel_error": {"type": "number"},
            "hint": {"type": "string"},
        },
    },
}


def openapi_document(server_url: str) -> dict:
    """Return the OpenAPI document for a server at server_url."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Autograder API",
            "version": "1.0.0",
            "description": "Submit assignments of Backpropagation and Automatic "
            "Differentiation and read their grading. Create a token on your account page or "
            "with `autograder token NAME`, then send `Authorization: Bearer TOKEN`.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": json_body({"type": "object"}, "OpenAPI document.")},
                }
            },
            "/health": {
                "get": {
                    "summary": "Health check of the app and its database",
                    "security": [],
                    "responses": {
                        "200": json_body({"type": "object"}, "Healthy."),
                        "503": error("The database does not answer."),
                    },
                }
            },
            "/me": {
                "get": {
                    "summary": "The token's account",
                    "responses": {
                        "200": json_body(
                            {
                                "type": "object",
                                "properties": {
                                    "username": {"type": "string"},
                                    "role": {"type": "string", "enum": ["student", "instructor"]},
                                },
                            },
                            "The account.",
                        ),
                        "401": ERRORS["401"],
                    },
                }
            },
            "/assignments": {
                "get": {
                    "summary": "List assignments with your own dates and counted grade",
                    "responses": {
                        "200": json_body(
                            {
                                "type": "object",
                                "properties": {
                                    "assignments": {"type": "array", "items": ref("Assignment")}
                                },
                            },
                            "The assignments, in course order.",
                        ),
                        "401": ERRORS["401"],
                    },
                }
            },
            "/assignments/{slug}": {
                "get": {
                    "summary": "Describe one assignment with your own dates and counted grade",
                    "parameters": [SLUG],
                    "responses": {
                        "200": json_body(ref("Assignment"), "The assignment."),
                        "401": ERRORS["401"],
                        "404": ERRORS["404"],
                    },
                }
            },
            "/assignments/{slug}/submissions": {
                "get": {
                    "summary": "List your submissions to an assignment",
                    "parameters": [SLUG],
                    "responses": {
                        "200": json_body(
                            {
                                "type": "object",
                                "properties": {
                                    "submissions": {
                                        "type": "array",
                                        "items": ref("SubmissionSummary"),
                                    }
                                },
                            },
                            "Newest first.",
                        ),
                        "401": ERRORS["401"],
                        "404": ERRORS["404"],
                    },
                },
                "post": {
                    "summary": "Submit a file for grading",
                    "description": "The file must be UTF-8 Python source of at most 64 KiB "
                    "(MAX_UPLOAD_BYTES). It is stored, then queued; poll `url`.",
                    "parameters": [SLUG],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": json_body(ref("SubmissionCreated"), "Stored and queued."),
                        "400": error("Missing file, not UTF-8, not Python, or empty."),
                        "401": ERRORS["401"],
                        "403": error("The assignment is closed."),
                        "404": ERRORS["404"],
                        "413": error("The file is over the size limit."),
                        "429": error("Too many requests, or the assignment's daily submission "
                                     "limit is reached (code `daily_limit`)."),
                    },
                },
            },
            "/assignments/{slug}/grades.csv": {
                "get": {
                    "summary": "The class's counted grades as CSV (instructors only)",
                    "description": "One row per student: username, name, score (counted "
                    "score after the late penalty, by the assignment's best/last policy), "
                    "max_score, late_penalty (fraction applied), submitted_at, submission_id, "
                    "raw_score (before the penalty).",
                    "parameters": [SLUG],
                    "responses": {
                        "200": {"description": "CSV with a header row.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}},
                        "401": ERRORS["401"],
                        "403": error("Not an instructor."),
                        "404": ERRORS["404"],
                    },
                }
            },
            "/submissions": {
                "get": {
                    "summary": "List everyone's submissions (instructors only)",
                    "parameters": [
                        {"name": "assignment", "in": "query", "schema": {"type": "string"}},
                        {"name": "user", "in": "query", "schema": {"type": "string"}},
                        {"name": "status", "in": "query", "schema": STATUS},
                        {"name": "limit", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                    ],
                    "responses": {
                        "200": json_body(
                            {
                                "type": "object",
                                "properties": {
                                    "submissions": {
                                        "type": "array",
                                        "items": ref("SubmissionSummary"),
                                    }
                                },
                            },
                            "Newest first.",
                        ),
                        "400": error("Unknown status."),
                        "401": ERRORS["401"],
                        "403": error("Not an instructor."),
                    },
                }
            },
            "/submissions/{submission_id}": {
                "get": {
                    "summary": "A submission's status and result",
                    "description": "`result` is null until `status` is `graded`; while it is "
                                   "`running`, `partial_result` shows the public tests' "
                                   "verdict once they are judged.",
                    "parameters": [SUBMISSION_ID],
                    "responses": {
                        "200": json_body(ref("Submission"), "The submission."),
                        "401": ERRORS["401"],
                        "404": ERRORS["404"],
                    },
                }
            },
            "/submissions/{submission_id}/regrade": {
                "post": {
                    "summary": "Grade a submission again (instructors only)",
                    "parameters": [SUBMISSION_ID],
                    "responses": {
                        "202": json_body(
                            {
                                "type": "object",
                                "properties": {"id": {"type": "integer"}, "status": STATUS},
                            },
                            "Queued for regrading; earlier gradings are kept.",
                        ),
                        "401": ERRORS["401"],
                        "403": error("Not an instructor."),
                        "404": ERRORS["404"],
                        "409": error("Already waiting or being graded."),
                    },
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token."}
            },
        },
    }
