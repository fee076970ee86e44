"""What a submitted file must be before anything grades it: one UTF-8 Python file, not too
large, that parses.

One function decides, used by every side that takes a file: the server (grader.submissions,
for the site and the API) and the local checks (`autograder test` of the student package,
`autograder grade`), so that a file the local check accepts is one the server accepts, and a
file the server refuses is refused locally, with the same words.

It accepts what Python itself reads from a file: a UTF-8 byte-order mark (what Notepad
writes), CRLF or CR line endings, a last line without a newline.
"""

from __future__ import annotations

import ast

MAX_BYTES = 64 * 1024  # the server's default limit (its MAX_UPLOAD_BYTES setting)
BOM = "\ufeff"


class RefusedFile(ValueError):
    """A file no grading takes; code names the reason for programs, message for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def check_source(data: bytes, filename: str, max_bytes: int = MAX_BYTES) -> str:
    """Return the file's text, without a byte-order mark, if it may be graded; else raise
    RefusedFile. filename is the name it is graded under (the messages use it)."""
    if len(data) > max_bytes:
        raise RefusedFile("too_large",
                          f"The file is {len(data)} bytes; the limit is {max_bytes} bytes.")
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RefusedFile(
            "not_utf8", f"The file is not UTF-8 text (byte {error.start} is not valid).") from None
    # Python reads a file's leading byte-order mark as a marker, not as code; so do we.
    source = source.removeprefix(BOM)
    if not source.strip():
        raise RefusedFile("empty", "The file is empty.")
    if "\x00" in source:
        raise RefusedFile("not_text", "The file contains NUL bytes: it is not a text file.")
    try:
        # Parsing never runs the code; it only tells a Python file from anything else.
        ast.parse(source, filename=filename)
    except SyntaxError as error:
        raise RefusedFile(
            "syntax_error", f"{filename} is not valid Python: {error.msg} (line {error.lineno})."
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise RefusedFile("not_python", f"{filename} could not be read as Python.") from None
    return source
