"""Tables of the hall, in SQLAlchemy 2.0 style. Every row belongs to a hall."""
from .base import Base, UTCDateTime
from .cases import Case, CaseOutcome, CaseState
from .catalogue import ServiceItem
from .events import Event
from .org import (
    ApiToken, Division, Hall, Role, Staff, StaffRole, Window, WindowState, window_services,
)
from .tickets import DailyCounter, PriorityReason, Ticket, TicketStatus

__all__ = [
    "Base", "UTCDateTime", "Case", "CaseOutcome", "CaseState", "ServiceItem", "Event",
    "ApiToken", "Division", "Hall", "Role", "Staff", "StaffRole", "Window", "WindowState",
    "window_services", "DailyCounter", "PriorityReason", "Ticket", "TicketStatus",
]
