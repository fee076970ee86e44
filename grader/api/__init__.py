"""The JSON API (/api/v1) for the CLI and scripts, authenticated with bearer tokens."""

from grader.api.views import bp

__all__ = ["bp"]
