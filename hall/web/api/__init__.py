"""The device API under /api/v1: the contract kiosks, displays and outside clients use.

``common`` holds the blueprint and the body parser; each module of this package registers its
routes on it as it loads."""
from . import applications as application_routes  # noqa: F401  (issue 15: applying online)
from . import auth, bookings, enquiries, guide, halls, openapi, remote, tickets, track, windows  # noqa: F401  (routes register on bp)
from . import qa as qa_routes  # noqa: F401  (issue 15: the public Q&A)
from . import results as results_routes  # noqa: F401  (issue 15: results in the open, public notice)
from .common import bp, parse_body

__all__ = ["bp", "parse_body"]
