"""Public tracking of a visit and its cases: GET /api/v1/track/<service_no>."""
from . import bp  # noqa: F401  (routes register on bp)
