"""A course whose dates the tests control: what the app fixture serves instead of the manifests."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CourseAssignment:
    """An assignment with the interface of grader.grading.assignments.Assignment, dates under control."""

    slug: str
    title: str
    submit_file: str = "gradient.py"
    kind: str = "autodiff"
    points: float = 10.0
    due: datetime | None = None
    hard_close: datetime | None = None
    late_penalty_per_day: float = 0.1
    late_penalty_cap: float = 0.5
    max_submissions_per_day: int | None = None
    score_policy: str = "best"
    readme: str = "# Title\n\nWrite `gradient`.\n\n<script>alert('readme')</script>\n"

    def readme_markdown(self) -> str:
        return self.readme

    def starter_zip(self, extras=None) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(f"{self.slug}-starter/{self.submit_file}", "def gradient(out):\n")
        return buffer.getvalue()


def demo_course(now: datetime) -> dict[str, CourseAssignment]:
    """Three assignments: one open, one past due (late penalty), one closed."""
    return {
        "numerical": CourseAssignment("numerical", "Numerical differentiation",
                                      submit_file="numerical.py", due=now + timedelta(days=7)),
        "backprop": CourseAssignment("backprop", "Backpropagation", submit_file="backprop.py",
                                     due=now - timedelta(days=2, hours=1)),
        "autodiff": CourseAssignment("autodiff", "Automatic differentiation",
                                     due=now - timedelta(days=10),
                                     hard_close=now - timedelta(days=1)),
    }
