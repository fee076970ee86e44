"""The course's student package: the kit, the visible tests judged as the grader does, submit.

Installed with one pip command (docs/student-guide.md), it provides the `autodiff` kit
and the `autograder` command: `autograder test` runs an assignment's visible tests on
your machine and prints the grader's own diagnosis; `autograder submit` uploads a file
to the grading server. It holds no reference solution and no hidden test.
"""
