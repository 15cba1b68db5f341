"""Administration (admin role, under /admin): one blueprint, ``admin``, whose sections each
register their pages on it from a module of this package: ``home`` (the sections),
``org`` (halls, windows, divisions), ``assignments`` (who may work which window),
``catalogue`` (service items and their guide), ``staff`` (accounts, roles, passwords),
``hours`` (opening hours), ``booking`` (booking rules and places), ``calendar`` (the
working-day calendar), ``devices`` (kiosks, displays, rating tablets) and ``audit`` (the
audit log). ``common`` holds the blueprint and what the sections share, so that no section
imports another's page code but through it.
Templates in ``templates/admin``.
"""
from . import (  # noqa: F401  (each section's routes register on ``bp`` as it loads)
    assignments,
    audit,
    booking,
    calendar,
    catalogue,
    devices,
    enquiries,  # noqa: F401  (questions and complaints: time limits, topics; issue 15)
    home,
    hours,
    org,
    staff,
)
from .common import bp

__all__ = ["bp"]
