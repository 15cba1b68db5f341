"""The division console (/hall/<hall>/cases): the inbox by deadline and each case with its
history and the moves its state allows. Routes in ``routes``, the moves and words of a case in
``case_actions``, templates in ``templates/division``, the script in ``static/division.js``.
Questions, complaints and reports sent online (issue 15) in ``enquiry_routes``, beside the
cases (/hall/<hall>/enquiries); the public notice on the case's page in ``notice``."""
from . import (
    application_routes,  # noqa: F401  (pre-review of applications online, issue 15)
    enquiry_routes,  # noqa: F401  (questions and complaints, issue 15)
    notice,  # noqa: F401  (public notice on the case's page, issue 15)
)
from .routes import bp

__all__ = ["bp"]
