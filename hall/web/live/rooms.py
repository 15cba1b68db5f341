"""Where live messages go: the Socket.IO namespaces and rooms of each audience."""
from __future__ import annotations

# Wall displays, rating tablets and window consoles follow a hall's floor here.
DISPLAY_NAMESPACE = "/display"
# Staff: consoles and division inboxes (cases, ratings), managers' dashboards.
STAFF_NAMESPACE = "/staff"


def floor_room(hall_code: str) -> str:
    return f"hall:{hall_code}"


def staff_room(hall_code: str) -> str:
    return f"staff:{hall_code}"


def dashboard_room(hall_code: str) -> str:
    return f"dashboard:{hall_code}"
