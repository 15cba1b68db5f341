"""Tables of the hall, in SQLAlchemy 2.0 style. Every row belongs to a hall."""
from .applications import Application, ApplicationState  # issue 15: applying online
from .base import Base, UTCDateTime
from .bookings import Booking, BookingRules, BookingStatus, RemoteTicket, ServiceBooking, SlotPlaces  # noqa: I001
from .calendar import CalendarDay, CalendarYear
from .cases import (
    OPEN_STATES,
    RUNNING_STATES,
    Case,
    CaseOutcome,
    CaseState,
    open_clause,
    running_clause,
)
from .catalogue import ServiceItem
from .devices import Device, DeviceKind
from .enquiries import (  # issue 15: asking, complaining and reporting online
    Enquiry,
    EnquiryKind,
    EnquiryMessage,
    EnquiryRule,
    EnquiryState,
    EnquiryTopic,
)
from .events import Event
from .files import StoredFile  # issue 15: uploaded files
from .hours import OpeningException, OpeningHours
from .jobs import JobLease
from .notices_public import NoticeObjection, PublicNotice  # issue 15: public notice (公示)
from .org import (
    ApiToken,
    Division,
    Hall,
    Role,
    Staff,
    StaffRole,
    Window,
    WindowState,
    window_clerks,  # issue 11: who may work which window
    window_services,
)
from .outbox import Channel, Notification, NotificationAttempt, NotificationStatus
from .qa import PublishedAnswer  # issue 15: the public Q&A
from .ratings import Rating
from .reports import DailyReport
from .tickets import DailyCounter, PriorityReason, Ticket, TicketStatus

__all__ = [
    "Base", "UTCDateTime", "CalendarDay", "CalendarYear", "OPEN_STATES", "RUNNING_STATES",
    "Case", "CaseOutcome", "CaseState", "open_clause", "running_clause", "JobLease", "Rating",
    "ServiceItem", "Event",
    "ApiToken", "Division", "Hall", "Role", "Staff", "StaffRole", "Window", "WindowState",
    "window_services", "DailyCounter", "PriorityReason", "Ticket", "TicketStatus",
    "DailyReport",
    "Device", "DeviceKind",
    "window_clerks",
    "OpeningHours", "OpeningException",
    "Booking", "BookingRules", "BookingStatus", "RemoteTicket", "ServiceBooking", "SlotPlaces",
    "Channel", "Notification", "NotificationAttempt", "NotificationStatus",
    "Enquiry", "EnquiryKind", "EnquiryMessage", "EnquiryRule", "EnquiryState", "EnquiryTopic",
    "StoredFile",
    "NoticeObjection", "PublicNotice",
    "PublishedAnswer",
    "Application", "ApplicationState",
]
