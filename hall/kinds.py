"""Every kind of event the hall records, in words for each audience that reads it.

One registry: the audit log and the staff case history name an event by ``name``; the
citizen's timeline says ``citizen`` (None: the citizen never sees that kind: warnings,
requests not yet decided, sign-ins…), and only the holder of the access code reads
``private``, the sentence with the division's own free text (a reason may name people).
``FIELDS`` says how each field of an event's data is shown: its label, and whether it is a
window, a division, a time, a term from a fixed list, free text, or nothing worth showing.

The states of a case and the procedures that stop its clock are here too, each once with its
words for every audience (refusals, the staff's pages, the citizen's page, the printed
receipt). ``tests/test_kinds.py`` reads every ``record(`` call of the code and fails on a kind
missing here, or on a case or ticket kind without words for the case history or the
timeline, and on a state, procedure or case move without words for every audience.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .messages import N_


@dataclass(frozen=True)
class Field:
    label: str            # message id
    shown: str = "text"   # see ``SHOWN``
    terms: dict[str, str] | None = None  # for shown == "term": each value's message id


@dataclass(frozen=True)
class Kind:
    code: str
    name: str                           # message id: the audit log's and the history's name
    citizen: str | dict[str, str] | None  # the timeline's sentence; a dict: by ``citizen_by``
    private: str | dict[str, str] | None = None  # with free text, for the access-code holder
    citizen_by: str | None = None       # the data field choosing the sentence in a dict
    history: tuple[str, ...] = ()       # the fields the staff case history shows
    fields: dict[str, Field] = field(default_factory=dict)  # this kind's own meaning of a field

    def field_for(self, name: str) -> Field:
        return self.fields.get(name) or FIELDS.get(name) or Field(name, "text")

    def sentence(self, data: dict, *, verified: bool) -> str | None:
        """The citizen's sentence for this event (a message id), or None."""
        words = self.private if verified and self.private is not None else self.citizen
        if isinstance(words, dict):
            return words.get(str(data.get(self.citizen_by)))
        return words


# How a value is shown: "text" as given, "number", "days" (working days), "window" (window n),
# "division" and "service" (a code, shown by name), "time" (an instant, in the hall's zone),
# "date", "yes_no", "list", "term" (a fixed value, in words), "hidden" (never shown).
SHOWN = ("text", "number", "days", "window", "division", "service", "time", "date", "yes_no",
         "list", "term", "hidden")

# -- fixed values in words ------------------------------------------------------------------

PRIORITIES = {"military": N_("service member"), "elderly": N_("aged 60 or over"),
              "disabled": N_("disability"), "pregnant": N_("pregnancy")}
SOURCES = {"kiosk": N_("kiosk"), "api": N_("device or website"), "booking": N_("booking"),
           "staff": N_("staff"), "remote": N_("from home"), "online": N_("applied online")}
TICKET_STATUSES = {"waiting": N_("waiting"), "called": N_("called"),
                   "serving": N_("being served"), "held": N_("held"),
                   "finished": N_("finished"), "no_show": N_("a no-show"),
                   "unserved": N_("closed unserved")}
OUTCOMES = {"approved": N_("approved"), "rejected": N_("not approved")}
WARNINGS = {"none": N_("on time"), "yellow": N_("due soon"), "red": N_("overdue")}
CHANNELS = {"tracking": N_("tracking page"), "window": N_("device at the window")}
FOLLOWUPS = {"none": N_("none"), "open": N_("opened"), "closed": N_("closed")}
LEVELS = {"5": N_("Very satisfied"), "4": N_("Satisfied"), "3": N_("Fair"),
          "2": N_("Dissatisfied"), "1": N_("Very dissatisfied")}
SIGN_IN_WAYS = {"page": N_("sign-in page"), "api": N_("API token")}
DAY_KINDS = {"holiday": N_("day off"), "workday": N_("working day")}
HALL_LEVELS = {"province": N_("province"), "city": N_("city"), "county": N_("county")}
DEVICE_KINDS = {"kiosk": N_("ticket kiosk"), "display": N_("wall display"),
                "rating": N_("rating tablet")}
SIGN_OUT_REASONS = {"signed_out": N_("signed out"), "password_reset": N_("password reset"),
                    "deactivated": N_("account deactivated")}
# A public notice's days (公示期), counted as the hall says (hall.notices_public).
NOTICE_UNITS = {"working": N_("working days"), "calendar": N_("calendar days")}
ROLES = {"admin": N_("administrator"), "manager": N_("manager"), "clerk": N_("window clerk"),
         "division": N_("division staff")}


@dataclass(frozen=True)
class CaseStateWords:
    """A case's state in the words of each audience."""

    term: str    # in a sentence ("the case is %(state)s"): the audit log, refusals
    title: str   # as a name: the staff's inbox and case page
    stage: str   # the citizen's tracking page: where the matter stands


CASE_STATE_WORDS = {
    "accepted": CaseStateWords(N_("waiting to be taken up"), N_("Waiting to be taken up"),
                               N_("Accepted; waiting to be taken up by the division")),
    "in_progress": CaseStateWords(N_("being handled"), N_("In progress"),
                                  N_("Being handled by the division")),
    "awaiting_documents": CaseStateWords(
        N_("waiting for documents"), N_("Waiting for documents"),
        N_("Waiting for missing documents; the time limit is stopped")),
    "special_procedure": CaseStateWords(
        N_("in a special procedure"), N_("Special procedure"),
        N_("In a special procedure; the time limit is stopped")),
    "decided": CaseStateWords(N_("decided"), N_("Decided"), N_("Decided")),
    "ready": CaseStateWords(N_("ready for pick-up"), N_("Ready for pick-up"),
                            N_("Ready for pick-up at the hall")),
    "closed": CaseStateWords(N_("closed"), N_("Closed"), N_("Finished")),
    "withdrawn": CaseStateWords(N_("withdrawn"), N_("Withdrawn"), N_("Withdrawn")),
}
CASE_STATES = {code: words.term for code, words in CASE_STATE_WORDS.items()}


@dataclass(frozen=True)
class Procedure:
    """Why a case's clock is stopped, in the words of each audience."""

    term: str                 # in a sentence: the timeline, the audit log, the tracking page
    title: str                # as a name: the staff's case page and its choice of procedure
    printed: tuple[str, str]  # on the paper receipt, Chinese and English (paper has no locale)


# The special procedures (特别程序) a division may start, listed once: cases.start_special
# accepts these; "documents" is the clock stopped for missing documents, its own move.
SPECIAL_PROCEDURES = ("public_notice", "expert_review", "testing")
PROCEDURE_WORDS = {
    "documents": Procedure(N_("waiting for missing documents"), N_("Waiting for documents"),
                           ("等待补正材料", "Waiting for documents")),
    "public_notice": Procedure(N_("public notice"), N_("Public notice"),
                               ("公示期", "Public notice")),
    "expert_review": Procedure(N_("expert review"), N_("Expert review"),
                               ("专家评审", "Expert review")),
    "testing": Procedure(N_("testing"), N_("Testing"), ("检验检测", "Testing")),
}
PROCEDURES = {code: words.term for code, words in PROCEDURE_WORDS.items()}


@dataclass(frozen=True)
class CaseMove:
    """A move of the case workflow (a function of ``hall.cases`` by the same name): its word
    in a refusal ("you cannot %(move)s it") and the kinds of event it writes."""

    term: str
    writes: tuple[str, ...]


CASE_MOVES = {
    "route": CaseMove(N_("send to another division"), ("case.routed",)),
    "take": CaseMove(N_("take up"), ("case.taken",)),
    "request_documents": CaseMove(N_("ask for documents"), ("case.documents_requested",)),
    "supply_documents": CaseMove(N_("record the documents"), ("case.documents_supplied",)),
    "start_special": CaseMove(N_("start a special procedure"), ("case.special_started",)),
    "end_special": CaseMove(N_("end the special procedure"), ("case.special_ended",)),
    "request_extension": CaseMove(N_("ask for an extension"), ("case.extension_requested",)),
    "decide_extension": CaseMove(N_("decide on an extension"),
                                 ("case.extension_granted", "case.extension_refused")),
    "decide": CaseMove(N_("decide"), ("case.decided",)),
    "mark_ready": CaseMove(N_("mark ready for pick-up"), ("case.ready",)),
    "close": CaseMove(N_("close"), ("case.closed",)),
    "withdraw": CaseMove(N_("withdraw"), ("case.withdrawn",)),
}
# The kinds that stop a case's clock and start it again (hall.deadlines counts the pauses);
# a public notice (hall.notices_public) is the special procedure "public_notice" with its own.
CLOCK_STOPS = ("case.documents_requested", "case.special_started", "case.notice_started")
CLOCK_STARTS = ("case.documents_supplied", "case.special_ended", "case.notice_ended")

# Who acted, for the labels that are not a member of staff's username.
ACTORS = {"system": N_("System"), "kiosk": N_("Kiosk"), "visitor": N_("Visitor"),
          "rating-device": N_("Rating device"), "operator": N_("Operator at the server"),
          "enrolment": N_("Device enrolment"), "sign-in": N_("Sign-in")}

# -- the fields of events' data ---------------------------------------------------------------

FIELDS: dict[str, Field] = {
    "number": Field(N_("Ticket")),
    "case_no": Field(N_("Case number")),
    "window_no": Field(N_("Window"), "window"),
    "to_window": Field(N_("To window"), "window"),
    "service": Field(N_("Service"), "service"),
    "from_service": Field(N_("From service"), "service"),
    "to_service": Field(N_("To service"), "service"),
    "priority": Field(N_("Priority"), "term", PRIORITIES),
    "source": Field(N_("Taken at"), "term", SOURCES),
    "call_count": Field(N_("Calls"), "number"),
    "reason": Field(N_("Reason")),
    "note": Field(N_("Note")),
    "state": Field(N_("State"), "term", CASE_STATES),
    "division": Field(N_("Division"), "division"),
    "from_division": Field(N_("From division"), "division"),
    "to_division": Field(N_("To division"), "division"),
    "limit_days": Field(N_("Time limit"), "days"),
    "days": Field(N_("Extension"), "days"),
    "documents": Field(N_("Documents"), "list"),
    "procedure": Field(N_("Procedure"), "term", PROCEDURES),
    "outcome": Field(N_("Decision"), "term", OUTCOMES),
    "on_time": Field(N_("On time"), "yes_no"),
    "due_at": Field(N_("Due"), "time"),
    "provisional": Field(N_("Provisional"), "yes_no"),
    "why": Field(N_("Why")),
    "handler": Field(N_("Handler"), "hidden"),
    "rating": Field(N_("Rating"), "hidden"),
    "level": Field(N_("Rating"), "term", LEVELS),
    "channel": Field(N_("Given on"), "term", CHANNELS),
    "followup": Field(N_("Follow-up"), "term", FOLLOWUPS),
    "end_of_day": Field(N_("At the end of the day"), "yes_no"),
    "day": Field(N_("Day"), "date"),
    "via": Field(N_("Through"), "term", SIGN_IN_WAYS),
    "token": Field(N_("Token"), "hidden"),
    "label": Field(N_("Label")),
    "expires_at": Field(N_("Expires"), "time"),
    "tokens_revoked": Field(N_("Tokens revoked"), "number"),
    "username": Field(N_("Account")),
    "name": Field(N_("Name")),
    "name_zh": Field(N_("Name (Chinese)")),
    "name_en": Field(N_("Name (English)")),
    "roles": Field(N_("Roles"), "list"),
    "active": Field(N_("Active"), "yes_no"),
    "hall_code": Field(N_("Hall")),
    "node_no": Field(N_("Node number"), "number"),
    "timezone": Field(N_("Time zone")),
    "level_of_hall": Field(N_("Level"), "term", HALL_LEVELS),
    "parent": Field(N_("Parent hall")),
    "address_zh": Field(N_("Address (Chinese)")),
    "address_en": Field(N_("Address (English)")),
    "phone": Field(N_("Telephone")),
    "services": Field(N_("Services"), "list"),
    "prefix": Field(N_("Number prefix")),
    "time_limit_days": Field(N_("Time limit"), "days"),
    "legal_limit_days": Field(N_("Legal time limit"), "days"),
    "standard_minutes": Field(N_("Usual minutes at the window"), "number"),
    "procedure_steps": Field(N_("Procedure")),
    "fees_zh": Field(N_("Fees (Chinese)")),
    "fees_en": Field(N_("Fees (English)")),
    "legal_basis_zh": Field(N_("Legal basis (Chinese)")),
    "legal_basis_en": Field(N_("Legal basis (English)")),
    "sort_order": Field(N_("Order"), "number"),
    "year": Field(N_("Year"), "number"),
    "notice": Field(N_("Notice")),
    "previous_notice": Field(N_("Previous notice")),
    "holidays": Field(N_("Days off"), "list"),
    "workdays": Field(N_("Make-up working days"), "list"),
    "set_to": Field(N_("Set to"), "term", DAY_KINDS),
    "previous": Field(N_("Before"), "term", DAY_KINDS),
    "unserved": Field(N_("Left unserved"), "number"),
    "never_arrived": Field(N_("Taken from home, never arrived"), "number"),
    "away": Field(N_("Taken from home, not arrived"), "yes_no"),
    "finished": Field(N_("Finished"), "number"),
    "windows_closed": Field(N_("Windows closed"), "number"),
    "report": Field(N_("Report"), "hidden"),
    "totals": Field(N_("Totals"), "hidden"),
    # devices, window supervision, sign-in waits (issue 11)
    "device": Field(N_("Device"), "hidden"),
    "device_kind": Field(N_("Kind of device"), "term", DEVICE_KINDS),
    "hours": Field(N_("Hours")),
    "address": Field(N_("Address")),
    "replaced_browser": Field(N_("Replaced an enrolled browser"), "yes_no"),
    "tickets": Field(N_("Tickets"), "number"),
    "seconds": Field(N_("Seconds"), "number"),
    "clerk": Field(N_("Clerk")),
    "clerks": Field(N_("Clerks"), "list"),
    "windows": Field(N_("Windows"), "list"),
    "from_clerk": Field(N_("From clerk")),
    "to_clerk": Field(N_("To clerk")),
    "forced": Field(N_("Closed by a supervisor"), "yes_no"),
    "returned": Field(N_("Back in line"), "list"),
    "failures": Field(N_("Wrong passwords"), "number"),
    # opening hours and the day's report (issue 10)
    "closed": Field(N_("Closed all day"), "yes_no"),
    "spans": Field(N_("Hours")),
    "version": Field(N_("Version"), "number"),
    "wait_seconds": Field(N_("Wait (seconds)"), "number"),
    # uploaded files (issue 15, hall.files)
    "file": Field(N_("File"), "number"),
    "owner": Field(N_("Belongs to")),
    "owner_id": Field(N_("Of number"), "number"),
    "content_type": Field(N_("Type of file")),
    "size": Field(N_("Size in bytes"), "number"),
    "retain_until": Field(N_("Kept until"), "time"),
    # results in the open and public notice (issue 15)
    "results_public": Field(N_("Results public by law"), "yes_no"),
    "apply_online": Field(N_("Taken online"), "yes_no"),
    "notice_unit": Field(N_("Public notice counted in"), "term", NOTICE_UNITS),
}

_WARNING_FIELDS = {"before": Field(N_("Before"), "term", WARNINGS),
                   "after": Field(N_("Now"), "term", WARNINGS),
                   "division": Field(N_("Division"), "hidden")}


# -- notifications (hall.notices, hall.outbox) -----------------------------------------------------
# What the outbox sends, by its kind: an event's kind (its name below) or one of its own.
NOTICES = {"booking.reminder": N_("Appointment reminder"),
           "ticket.nearly": N_("Nearly your turn"),
           "ticket.joined": N_("In the queue from home")}
NOTIFICATION_STATUSES = {"pending": N_("waiting to be sent"), "sending": N_("being sent"),
                         "sent": N_("sent"), "failed": N_("failed")}


def notice_name(code: str) -> str:
    """A message id naming what a notification is about (its kind)."""
    return NOTICES.get(code) or get(code).name


_BOOKING_FIELDS = {"start": Field(N_("Slot"), "time"), "booking": Field(N_("Booking code"))}
BOOKING_CANCELLED_BY = {"visitor": N_("by the visitor"), "closure": N_("the hall closed that day"),
                        "hall-closed": N_("the hall closed that day")}
# A hall's booking rules as the audit log names them (hall.booking_admin.RULES).
_BOOKING_RULE_FIELDS = {
    "slot_minutes": Field(N_("Minutes of a slot"), "number"),
    "walk_in_percent": Field(N_("Share kept for walk-ins, in per cent"), "number"),
    "days_ahead": Field(N_("Open days ahead"), "number"),
    "cancel_before_minutes": Field(N_("Cancel cut-off (minutes before the slot)"), "number"),
    "remote_percent": Field(N_("Share of a day taken from home, in per cent"), "number")}
# How an item's places per slot are set, besides a number set by hand (hall.booking_admin).
PLACES_SET = {"computed": N_("Computed from the windows"), "closed": N_("Closed to booking")}


# -- public notice (公示, hall.notices_public) -------------------------------------------------
# How a notice ended, as its end's event says (``ending``): the citizen's sentence by it.
NOTICE_ENDINGS = {"no_objection": N_("period over, no objection"),
                  "objections": N_("period over, with objections"),
                  "cut_short": N_("ended early by a manager"),
                  "case_closed": N_("the case was withdrawn")}
_NOTICE_FIELDS = {"notice": Field(N_("Public notice"), "hidden"),
                  "notice_text": Field(N_("Public text")),
                  "notice_from": Field(N_("From"), "time"),
                  "notice_until": Field(N_("Until"), "time"),
                  "unit": Field(N_("Counted in"), "term", NOTICE_UNITS),
                  "days": Field(N_("Days"), "number"),
                  "ending": Field(N_("Ended"), "term", NOTICE_ENDINGS),
                  "objections": Field(N_("Objections received"), "number"),
                  "complaint_no": Field(N_("Complaint number"))}


def _kinds(*kinds: Kind) -> dict[str, Kind]:
    return {k.code: k for k in kinds}


KINDS: dict[str, Kind] = _kinds(
    # -- a visit at the windows ------------------------------------------------------------
    Kind("ticket.issued", N_("Number taken"), N_("Took number %(number)s")),
    Kind("ticket.called", N_("Called"), N_("Called to window %(window_no)s")),
    Kind("ticket.recalled", N_("Called again"), N_("Called again to window %(window_no)s")),
    Kind("ticket.resumed", N_("Called back"), N_("Called back to window %(window_no)s")),
    Kind("ticket.serving", N_("Being served"), N_("Being served at window %(window_no)s")),
    Kind("ticket.held", N_("Held at the window"),
         N_("Waiting at window %(window_no)s (e.g. for a document)")),
    Kind("ticket.no_show", N_("No-show"),
         N_("Did not answer the call at window %(window_no)s")),
    # The clerk's undo of a no-show pressed by mistake: the timeline drops the no-show.
    Kind("ticket.no_show_undone", N_("No-show undone"), None),
    Kind("ticket.transferred", N_("Transferred"),
         N_("Sent on to another service or window; place in line kept")),
    Kind("ticket.finished", N_("Finished at the window"),
         N_("Finished at window %(window_no)s")),
    # A window closed by a supervisor: its visitors go back in line, keeping their place.
    Kind("ticket.returned", N_("Back in line"),
         N_("Back in line: window %(window_no)s closed; place in line kept"),
         fields={"before": Field(N_("Was"), "term", TICKET_STATUSES)}),
    # A ticket taken from home (hall.remote) checked in at the hall: call-next calls it now.
    Kind("ticket.arrived", N_("Arrived at the hall"),
         N_("Arrived at the hall: number %(number)s is called in its place in line"),
         fields={"door": Field(N_("By the door QR code"), "yes_no")}),
    Kind("ticket.unserved", N_("Left unserved at closing"),
         N_("Not called before the hall closed"),
         fields={"before": Field(N_("Was"), "term", TICKET_STATUSES)}),
    # -- an appointment (hall.bookings, hall.checkin) ------------------------------------------
    Kind("booking.made", N_("Appointment booked"), N_("Appointment booked for %(start)s"),
         fields=_BOOKING_FIELDS),
    Kind("booking.moved", N_("Appointment moved"), N_("Appointment moved to %(start)s"),
         fields={**_BOOKING_FIELDS, "before": Field(N_("Before"), "time")}),
    Kind("booking.cancelled", N_("Appointment cancelled"), N_("Appointment cancelled"),
         fields={**_BOOKING_FIELDS,
                 "reason": Field(N_("Why"), "term", BOOKING_CANCELLED_BY)}),
    # An administrator's booking rules and an item's places (hall.booking_admin).
    Kind("booking.rules_set", N_("Booking rules changed"), None,
         fields=_BOOKING_RULE_FIELDS),
    Kind("booking.places_set", N_("Places per slot changed"), None,
         fields={"before": Field(N_("Before"), "term", PLACES_SET),
                 "after": Field(N_("Now"), "term", PLACES_SET),
                 "places": Field(N_("Places per slot"))}),
    Kind("booking.checked_in", N_("Checked in for the appointment"),
         N_("Checked in for the appointment of %(start)s: number %(number)s"),
         fields=_BOOKING_FIELDS),
    Kind("booking.missed", N_("Appointment missed"),
         N_("Appointment of %(start)s missed: not checked in in time"),
         fields=_BOOKING_FIELDS),
    Kind("window.opened", N_("Window opened"), None),
    Kind("window.resumed", N_("Window resumed"), None),
    Kind("window.paused", N_("Window paused"), None),
    Kind("window.closed", N_("Window closed"), None),
    Kind("window.handed_over", N_("Window handed over"), None),
    # -- a case ------------------------------------------------------------------------------
    Kind("case.accepted", N_("Accepted at the window"),
         N_("Accepted at window %(window_no)s as case %(case_no)s for %(division)s"),
         history=("window_no", "limit_days")),
    Kind("case.accepted_online", N_("Accepted online"),
         N_("Your application was accepted as case %(case_no)s for %(division)s"),
         history=("service_no", "limit_days", "deemed"),
         fields={"service_no": Field(N_("Service number")),
                 "deemed": Field(N_("Counts as accepted from the day it arrived"),
                                 "yes_no")}),
    Kind("case.routed", N_("Sent to another division"),
         N_("Sent on to %(to_division)s, who are responsible for it"),
         history=("from_division", "to_division", "reason")),
    Kind("case.taken", N_("Taken up"), N_("Taken up by the division")),
    Kind("case.documents_requested", N_("Documents requested"),
         N_("Missing documents asked for; the time limit stops until they are supplied"),
         history=("documents", "note")),
    Kind("case.documents_supplied", N_("Documents supplied"),
         N_("Missing documents received; the time limit runs again"), history=("note",)),
    Kind("case.special_started", N_("Special procedure started"),
         N_("Special procedure started (%(procedure)s); the time limit stops meanwhile"),
         history=("procedure", "reason")),
    Kind("case.special_ended", N_("Special procedure ended"),
         N_("Special procedure ended (%(procedure)s); the time limit runs again"),
         history=("procedure", "note")),
    Kind("case.extension_requested", N_("Extension requested"), None,
         history=("days", "reason")),
    Kind("case.extension_granted", N_("Extension granted"),
         N_("Time limit extended by %(days)s working days"),
         private=N_("Time limit extended by %(days)s working days: %(reason)s"),
         history=("days", "reason", "note")),
    Kind("case.extension_refused", N_("Extension refused"), None, history=("days", "note")),
    Kind("case.decided", N_("Decided"),
         {"approved": N_("Decided: approved"),
          "rejected": N_("Decided: not approved. The reason is given in the decision; enter "
                         "your access code to read it here")},
         private={"approved": N_("Decided: approved"),
                  "rejected": N_("Decided: not approved. Reason: %(reason)s")},
         citizen_by="outcome", history=("outcome", "reason", "on_time")),
    Kind("case.deadline_changed", N_("Deadline changed"),
         N_("Deadline moved to %(after)s (the working-day calendar changed)"),
         history=("before", "after", "why"),
         fields={"before": Field(N_("Before"), "time"), "after": Field(N_("Now"), "time")}),
    Kind("case.yellow", N_("Yellow card: the deadline is near"), None, history=("due_at",),
         fields=_WARNING_FIELDS),
    Kind("case.red", N_("Red card: the deadline has passed"), None, history=("due_at",),
         fields=_WARNING_FIELDS),
    Kind("case.warning_lowered", N_("Warning lowered"), None,
         history=("before", "after", "due_at"), fields=_WARNING_FIELDS),
    Kind("case.ready", N_("Ready for pick-up"),
         N_("The result is ready for pick-up at the hall"), history=("note",)),
    Kind("case.closed", N_("Closed"), N_("Finished and closed"), history=("note",)),
    Kind("case.withdrawn", N_("Withdrawn"), N_("Withdrawn at the applicant's request"),
         history=("reason",)),
    # -- public notice (公示): the clock stops while it runs (hall.notices_public) ------------
    Kind("case.notice_started", N_("Put under public notice"),
         N_("Under public notice from %(notice_from)s to %(notice_until)s; the time limit "
            "stops meanwhile"),
         history=("notice_text", "days", "unit", "notice_until"), fields=_NOTICE_FIELDS),
    Kind("case.notice_ended", N_("Public notice ended"),
         {"no_objection": N_("Public notice ended with no objection; the time limit runs "
                             "again"),
          "objections": N_("Public notice ended; %(objections)s objections were received and "
                           "are being looked into; the time limit runs again"),
          "cut_short": N_("Public notice ended early; the time limit runs again"),
          "case_closed": N_("Public notice ended")},
         citizen_by="ending", history=("ending", "objections", "reason"),
         fields=_NOTICE_FIELDS),
    Kind("case.objection_received", N_("Objection to the public notice received"), None,
         history=("complaint_no",), fields=_NOTICE_FIELDS),
    # -- ratings -----------------------------------------------------------------------------
    Kind("rating.given", N_("Rated"), None, history=("level", "channel", "followup")),
    Kind("rating.followup_closed", N_("Rating follow-up closed"), None, history=("on_time",)),
    Kind("rating.followup_yellow", N_("Rating follow-up due soon"), None),
    Kind("rating.followup_red", N_("Rating follow-up overdue"), None),
    # -- the hall's set-up and its people ----------------------------------------------------
    Kind("admin.hall_created", N_("Hall created"), None,
         fields={"level": Field(N_("Level"), "term", HALL_LEVELS)}),
    Kind("admin.hall_edited", N_("Hall changed"), None,
         fields={"level": Field(N_("Level"), "term", HALL_LEVELS)}),
    Kind("admin.window_added", N_("Window added"), None),
    Kind("admin.window_edited", N_("Window renamed"), None),
    Kind("admin.window_services_set", N_("Window items changed"), None),
    Kind("admin.window_enabled", N_("Window in service"), None),
    Kind("admin.window_disabled", N_("Window out of service"), None),
    Kind("admin.division_created", N_("Division created"), None,
         fields={"division": Field(N_("Division"))}),
    Kind("admin.division_edited", N_("Division changed"), None,
         fields={"division": Field(N_("Division"))}),
    Kind("admin.service_created", N_("Service item created"), None,
         fields={"service": Field(N_("Service")), "division": Field(N_("Division"))}),
    Kind("admin.service_edited", N_("Service item changed"), None,
         fields={"service": Field(N_("Service")), "division": Field(N_("Division")),
                 "documents": Field(N_("Documents required"), "list"),
                 "procedure": Field(N_("Procedure"), "list")}),
    Kind("admin.staff_created", N_("Account created"), None,
         fields={"division": Field(N_("Division"))}),
    Kind("admin.staff_edited", N_("Account changed"), None,
         fields={"division": Field(N_("Division"))}),
    Kind("admin.staff_deactivated", N_("Account deactivated"), None),
    Kind("admin.staff_reactivated", N_("Account reactivated"), None),
    Kind("admin.password_reset", N_("Password reset"), None),
    Kind("admin.window_clerks_set", N_("Window clerks changed"), None),
    Kind("admin.staff_windows_set", N_("Clerk's windows changed"), None),
    Kind("calendar.notice_entered", N_("Calendar notice entered"), None),
    Kind("calendar.local_day_set", N_("Local day set"), None),
    Kind("staff.signed_in", N_("Signed in"), None),
    Kind("staff.signed_out", N_("Signed out"), None,
         fields={"reason": Field(N_("Why"), "term", SIGN_OUT_REASONS)}),
    Kind("staff.sign_in_delayed", N_("Sign-in slowed after wrong passwords"), None),
    Kind("staff.token_issued", N_("API token issued"), None),
    Kind("staff.token_revoked", N_("API token revoked"), None),
    Kind("day.closed", N_("Day closed"), None),
    Kind("day.report_rerun", N_("Daily report made again"), None,
         fields={"previous": Field(N_("Before"), "hidden")}),
    Kind("hours.week_set", N_("Opening hours changed"), None),
    Kind("hours.exception_set", N_("Opening exception set"), None,
         fields={"before": Field(N_("Before"))}),
    Kind("hours.exception_removed", N_("Opening exception removed"), None,
         fields={"before": Field(N_("Before"))}),
    # -- devices (SPEC §7) -------------------------------------------------------------------
    Kind("device.registered", N_("Device registered"), None),
    Kind("device.enrolment_opened", N_("Device enrolment link made"), None),
    Kind("device.enrolled", N_("Device browser enrolled"), None),
    Kind("device.locked", N_("Device locked"), None),
    Kind("device.unlocked", N_("Device unlocked"), None),
    Kind("device.hours_set", N_("Device hours changed"), None),
    Kind("device.revoked", N_("Device revoked"), None),
    Kind("device.issuing_fast", N_("Device issuing unusually fast"), None),
    # -- notifications ---------------------------------------------------------------------
    # -- uploaded files (hall.files): the citizen sees that a document came, never its name
    Kind("file.stored", N_("Document uploaded"), N_("A document was uploaded"),
         history=("label",)),
    Kind("file.removed", N_("Document removed"), None, history=("label",)),
    Kind("file.deleted", N_("Document deleted after its retention time"), None,
         history=("label",)),
    Kind("notification.retried", N_("Notification sent again"), None,
         fields={"notification": Field(N_("Notification"), "number"),
                 "notice": Field(N_("About"), "hidden"),
                 "attempts": Field(N_("Tries before"), "number")}),
)


# -- questions, complaints and reports online (issue 15, hall.enquiries) -------------------------

ENQUIRY_KIND_WORDS = {"consultation": N_("questions"), "complaint": N_("complaints"),
                      "report": N_("reports")}
ENQUIRY_KIND_NAMES = {"consultation": N_("Question"), "complaint": N_("Complaint"),
                      "report": N_("Report of wrongdoing")}
DAY_UNITS = {"working": N_("working days"), "calendar": N_("days")}


@dataclass(frozen=True)
class EnquiryStateWords:
    """An enquiry's state in the words of each audience (as ``CaseStateWords``)."""

    term: str    # in a sentence: refusals, the audit log
    title: str   # as a name: the division's inbox and the enquiry's page
    stage: str   # the citizen's tracking page


ENQUIRY_STATE_WORDS = {
    "open": EnquiryStateWords(N_("waiting for an answer"), N_("Waiting for an answer"),
                              N_("Received; the office will answer")),
    "answered": EnquiryStateWords(N_("answered"), N_("Answered"), N_("Answered")),
    "closed": EnquiryStateWords(N_("closed"), N_("Closed"), N_("Finished")),
    "submitted": EnquiryStateWords(N_("waiting to be accepted"), N_("Waiting to be accepted"),
                                   N_("Received; the office decides whether to accept it")),
    "accepted": EnquiryStateWords(N_("accepted and being looked into"),
                                  N_("Accepted, being looked into"),
                                  N_("Accepted; being looked into")),
    "declined": EnquiryStateWords(N_("not accepted"), N_("Not accepted"), N_("Not accepted")),
    "concluded": EnquiryStateWords(N_("concluded"), N_("Concluded"), N_("Concluded")),
}
ENQUIRY_STATES = {code: words.term for code, words in ENQUIRY_STATE_WORDS.items()}
# The moves of ``hall.enquiries`` (a function by the same name) and the kinds each writes.
ENQUIRY_MOVES = {
    "reply": CaseMove(N_("reply to"), ("enquiry.answered", "enquiry.replied", "enquiry.noted")),
    "accept": CaseMove(N_("accept"), ("enquiry.accepted",)),
    "decline": CaseMove(N_("decline"), ("enquiry.declined",)),
    "conclude": CaseMove(N_("conclude"), ("enquiry.concluded",)),
    "close": CaseMove(N_("close"), ("enquiry.closed",)),
    "request_extension": CaseMove(N_("ask for an extension"),
                                  ("enquiry.extension_requested",)),
    "decide_extension": CaseMove(N_("decide on an extension"),
                                 ("enquiry.extension_granted", "enquiry.extension_refused")),
    "citizen_reply": CaseMove(N_("add to"), ("enquiry.citizen_replied",)),
}
_ENQUIRY_FIELDS = {"enquiry_kind": Field(N_("Kind"), "term", ENQUIRY_KIND_NAMES),
                   "topic": Field(N_("Topic")),
                   "service_no": Field(N_("Service number")),
                   "related_case_no": Field(N_("About case")),
                   "anonymous": Field(N_("Anonymous"), "yes_no"),
                   "respond_days": Field(N_("Days to respond"), "number"),
                   "unit": Field(N_("Counted in"), "term", DAY_UNITS),
                   "days": Field(N_("Extension, days"), "number"),
                   "state": Field(N_("State"), "term", ENQUIRY_STATES),
                   "message": Field(N_("Message"), "hidden")}
_ENQUIRY_WARNING_FIELDS = {**_WARNING_FIELDS, **_ENQUIRY_FIELDS}
_QA_FIELDS = {**_ENQUIRY_FIELDS, "answer": Field(N_("Published answer"), "hidden"),
              "edited": Field(N_("Edited what was published"), "yes_no")}

KINDS.update(_kinds(
    Kind("enquiry.submitted", N_("Received online"),
         {"consultation": N_("Your question was received online"),
          "complaint": N_("Your complaint was received online"),
          "report": N_("Your report was received online")},
         citizen_by="enquiry_kind",
         history=("enquiry_kind", "topic", "division", "related_case_no"),
         fields=_ENQUIRY_FIELDS),
    Kind("enquiry.answered", N_("Answered"), N_("The office answered your question"),
         history=("on_time",), fields=_ENQUIRY_FIELDS),
    Kind("enquiry.replied", N_("Replied"), N_("The office wrote to you"),
         fields=_ENQUIRY_FIELDS),
    Kind("enquiry.noted", N_("Internal note"), None, fields=_ENQUIRY_FIELDS),
    Kind("enquiry.citizen_replied", N_("The citizen wrote"), N_("You wrote to the office"),
         fields=_ENQUIRY_FIELDS),
    Kind("enquiry.accepted", N_("Accepted for handling"),
         N_("Accepted; it is to be concluded by %(due_at)s"), history=("on_time", "due_at"),
         fields=_ENQUIRY_FIELDS),
    Kind("enquiry.declined", N_("Not accepted"),
         N_("Not accepted. The reason is given in the messages; enter your access code to "
            "read it"),
         private=N_("Not accepted. Reason: %(reason)s"), history=("reason", "on_time"),
         fields=_ENQUIRY_FIELDS),
    Kind("enquiry.concluded", N_("Concluded"),
         N_("Concluded. The result is given in the messages; enter your access code to read "
            "it"),
         private=N_("Concluded; the result is in the messages"), history=("note", "on_time"),
         fields={**_ENQUIRY_FIELDS, "note": Field(N_("Result"))}),
    Kind("enquiry.closed", N_("Closed"), N_("Finished and closed"), history=("note",),
         fields=_ENQUIRY_FIELDS),
    Kind("enquiry.extension_requested", N_("Extension requested"), None,
         history=("days", "reason"), fields=_ENQUIRY_FIELDS),
    Kind("enquiry.extension_granted", N_("Extension granted"),
         N_("Time limit extended by %(days)s %(unit)s"),
         private=N_("Time limit extended by %(days)s %(unit)s: %(reason)s"),
         history=("days", "unit", "reason", "note"), fields=_ENQUIRY_FIELDS),
    Kind("enquiry.extension_refused", N_("Extension refused"), None,
         history=("days", "note"), fields=_ENQUIRY_FIELDS),
    Kind("enquiry.yellow", N_("Yellow card: the time limit is near"), None,
         history=("due_at",), fields=_ENQUIRY_WARNING_FIELDS),
    Kind("enquiry.red", N_("Red card: the time limit has passed"), None,
         history=("due_at",), fields=_ENQUIRY_WARNING_FIELDS),
    Kind("enquiry.warning_lowered", N_("Warning lowered"), None,
         history=("before", "after", "due_at"), fields=_ENQUIRY_WARNING_FIELDS),
    # An administrator's time limits and topics (hall.enquiry_admin).
    Kind("enquiry.rules_set", N_("Time limits of questions and complaints changed"), None,
         fields={**_ENQUIRY_FIELDS,
                 "respond_days": Field(N_("Days to respond"), "number"),
                 "respond_unit": Field(N_("Days to respond counted in"), "term", DAY_UNITS),
                 "conclude_days": Field(N_("Days to conclude"), "number"),
                 "conclude_unit": Field(N_("Days to conclude counted in"), "term", DAY_UNITS),
                 "extension_days": Field(N_("Days of an extension"), "number")}),
    # The public Q&A (hall.qa): the question and answer as the division edited them.
    Kind("enquiry.published", N_("Published to the public Q&A"),
         N_("Your question and its answer were published in the hall's public questions and "
            "answers, without your name or anything of your matter"),
         history=("edited",), fields=_QA_FIELDS),
    Kind("enquiry.unpublished", N_("Withdrawn from the public Q&A"),
         N_("Your question was taken out of the hall's public questions and answers"),
         fields=_QA_FIELDS),
    Kind("enquiry.topic_set", N_("Topic of questions and complaints changed"), None,
         fields={**_ENQUIRY_FIELDS, "code": Field(N_("Code")),
                 "kinds": Field(N_("Kinds"), "list"), "division": Field(N_("Division"))}),
))

# -- applications online (网上申报, hall.applications) ---------------------------------------------

APPLICATION_STATES = {"submitted": N_("waiting for pre-review"),
                      "awaiting_documents": N_("waiting for documents"),
                      "accepted": N_("accepted"), "refused": N_("not accepted"),
                      "withdrawn": N_("withdrawn")}
APPLICATION_MOVES = {"accept": N_("accept"), "request_documents": N_("ask for documents for"),
                     "refuse": N_("refuse"), "reupload": N_("upload documents to"),
                     "withdraw": N_("withdraw")}
# The acceptance of a case: at a window, or of an application online.
CASE_ACCEPTANCES = ("case.accepted", "case.accepted_online")
_APPLICATION_FIELDS = {"application": Field(N_("Application"), "hidden"),
                       "state": Field(N_("State"), "term", APPLICATION_STATES),
                       "service_no": Field(N_("Service number")),
                       "documents": Field(N_("Documents"), "list"),
                       "deemed": Field(N_("Counts as accepted from the day it arrived"),
                                       "yes_no"),
                       "on_time": Field(N_("Pre-review on time"), "yes_no"),
                       "files_kept": Field(N_("Files kept for the legal time"), "number")}
_APPLICATION_WARNING_FIELDS = {**_WARNING_FIELDS, **_APPLICATION_FIELDS}

KINDS.update(_kinds(
    Kind("application.submitted", N_("Applied online"), N_("Your application was received"),
         history=("service", "division", "documents", "due_at"), fields=_APPLICATION_FIELDS),
    Kind("application.documents_requested", N_("Documents asked for"),
         N_("The office asked for documents; enter your access code to see which"),
         private=N_("The office asked for: %(documents)s"), history=("documents", "note"),
         fields=_APPLICATION_FIELDS),
    Kind("application.documents_supplied", N_("Documents supplied"),
         N_("The documents asked for were uploaded"), history=("documents", "due_at"),
         fields=_APPLICATION_FIELDS),
    Kind("application.accepted", N_("Application accepted"),
         N_("Accepted as case %(case_no)s"), history=("case_no", "deemed", "on_time", "note"),
         fields=_APPLICATION_FIELDS),
    Kind("application.refused", N_("Application not accepted"),
         N_("Not accepted; enter your access code to read the reason"),
         private=N_("Not accepted. Reason: %(reason)s"), history=("reason", "files_kept"),
         fields=_APPLICATION_FIELDS),
    Kind("application.withdrawn", N_("Application withdrawn"), N_("You withdrew the application"),
         history=("files_kept",), fields=_APPLICATION_FIELDS),
    Kind("application.yellow", N_("Yellow card: the pre-review limit is near"), None,
         history=("due_at",), fields=_APPLICATION_WARNING_FIELDS),
    Kind("application.red", N_("Red card: the pre-review limit has passed"), None,
         history=("due_at",), fields=_APPLICATION_WARNING_FIELDS),
))

# The audit log's filter: families of kinds, each a prefix of their codes.
FAMILIES = {"application.": N_("Applications online"), "admin.": N_("Administration"),
            "calendar.": N_("Calendar"),
            "staff.": N_("Sign-ins and tokens"), "case.": N_("Cases"),
            "ticket.": N_("Tickets"), "window.": N_("Windows"), "rating.": N_("Ratings"),
            "day.": N_("End of day"), "device.": N_("Devices"),
            "hours.": N_("Opening hours"), "notification.": N_("Notifications"),
            "booking.": N_("Appointments"), "file.": N_("Uploaded files"),
            "enquiry.": N_("Questions and complaints")}


def get(code: str) -> Kind:
    """The kind, or a plain stand-in named by its code (an event written by a newer version
    of the hall still shows)."""
    return KINDS.get(code) or Kind(code, code, None)


def actor_words(label: str) -> str | None:
    """A message id for an actor that is not a member of staff (system, kiosk…), else None."""
    return ACTORS.get(label)
