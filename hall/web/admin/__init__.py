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
from . import assignments, audit, booking, calendar, catalogue, devices, home, hours, org, staff  # noqa: F401  (each section's routes register on ``bp`` as it loads)
from .common import bp

__all__ = ["bp"]
