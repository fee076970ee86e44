"""How the harness measures a call: one module per measurement, one way each.

- ``timing``: how long a call takes (the fastest of a few calls, on a CPU clock), and the
  growth case's timing loop;
- ``memory``: how much memory a call needs at its peak, as tracemalloc counts it;
- ``trace``: which partial adjoints a call asks the kit's ops for, in what order.

In the grader the clocks and the peaks are read by the warden from outside the process that
runs the student's code (harness/warden.py), with timing's rules; tracemalloc measures on a
student's own machine (harness/run.py) and the reference's figures stored for it. The
submission and the reference are always measured the same way, so they compare.
"""
