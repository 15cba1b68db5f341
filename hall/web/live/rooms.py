"""Where live messages go: the Socket.IO namespaces and rooms of each audience."""
from __future__ import annotations

from flask_socketio import join_room

# Wall displays and rating tablets (registered devices) follow a hall's floor here.
DISPLAY_NAMESPACE = "/display"
# Staff: consoles and division inboxes (cases, ratings), managers' dashboards, and the
# window consoles' own view of the floor (``console_room``): signed-in staff, not devices.
STAFF_NAMESPACE = "/staff"


def floor_room(hall_code: str) -> str:
    return f"hall:{hall_code}"


def staff_room(hall_code: str) -> str:
    return f"staff:{hall_code}"


def dashboard_room(hall_code: str) -> str:
    return f"dashboard:{hall_code}"


def console_room(hall_code: str) -> str:
    """Window consoles following their hall's floor (the same messages as the displays)."""
    return f"floor:{hall_code}"


# Visitors' phones following their own ticket (SPEC §7): public, one room per ticket.
TICKET_NAMESPACE = "/ticket"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def enter(room: str) -> bool:
    """Put the socket of the event being handled into ``room``; False when it disconnected
    while its event waited. Socket.IO refuses a gone socket a room ("sid is not connected to
    requested namespace"), and there is nobody left to answer: the handler lets it go."""
    try:
        join_room(room)
    except ValueError:
        return False
    return True
