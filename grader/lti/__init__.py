"""LTI 1.3 Advantage: the LMS launches students and instructors in, and receives grades.

Parts and files: registrations.py (the platforms and pylti1p3's view of them), keys.py (the
tool's key pair, rotation, /lti/jwks), storage.py (state and nonce of a login, in the
database), http.py (every call to an LMS: timeouts), launch.py (a launch validated: nonce
used once, clock skew), accounts.py (who a launch is here), roster.py (NRPS), passback.py
(AGS: the counted grade posted, recorded), views.py (the blueprint the LMS talks to).
The library is pylti1p3 (the maintained fork pylti1p3next; docs/lti.md says why).
"""

from grader.lti.views import bp

__all__ = ["bp"]
