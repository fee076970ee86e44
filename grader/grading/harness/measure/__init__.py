"""How the harness measures a call: one module per measurement, one way each.

- ``timing``: how long a call takes (the fastest of a few calls, on the process's CPU clock);
- ``memory``: how much memory a call needs at its peak (tracemalloc);
- ``trace``: which partial adjoints a call asks the kit's ops for, in what order.

They run inside the sandbox with the submission; the judges (outside) measure the reference
solution with the same functions, so a submission and the reference are compared on one scale.
"""
