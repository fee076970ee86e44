"""Allow `python -m autodiff_student`."""

from autodiff_student.cli import main

main()
