"""The windows and the online channels side by side (``hall.channel_figures``): a scripted
autumn on the hall's clock, and the same figures on the daily report (kept totals, HTML, PDF,
CSV), the month's statistics page and the dashboard."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from conftest import actor
from enquiry_helpers import Hall as EnquiryHall
from hall import cases, channel_figures, clock, deadlines, enquiries, issuing, queue, stats
from hall.lookup import get_hall
from hall.web.extensions import db

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)  # a Tuesday


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def scripted_autumn(app) -> None:
    """Questions, complaints, reports and cases of HQ, ending on Tuesday 1 December 2026.

    Before the day: complaints C1 and C2 arrive on Mon 21 Sep and are accepted on Fri 25 Sep
    (in time; 60 calendar days to conclude, to Tue 24 Nov); case K1 is accepted at window 3
    on Mon 2 Nov (5 working days, due Mon 9 Nov); report R1 arrives on Fri 20 Nov and is
    accepted on Mon 23 Nov; questions Q2 and Q3 arrive on Wed 25 Nov (due Mon 30 Nov), Q1 on
    Thu 26 Nov (due Tue 1 Dec: Friday, then across the weekend, Monday and Tuesday).

    On the day: a ticket at window 4 becomes case K2, decided the same morning (on time); K1
    is decided (late); Q1 is answered (on time), Q2 (late); C1 is concluded (late); C2 gets
    an extension of 30 days; R1 is concluded (in time); report R2 arrives; complaint C3
    arrives and is declined. Q3 is still unanswered: red."""
    h = EnquiryHall(app)
    clerk3, clerk4 = actor(app, "clerk03"), actor(app, "clerk04")
    civil, manager = actor(app, "division01"), h.manager
    with clock.frozen(local("2026-09-21 10:00")) as frozen:
        h.clock = frozen
        c1, c2 = h.ask("complaint"), h.ask("complaint")
        frozen.at = local("2026-09-25 10:00")
        for made in (c1, c2):
            h.do(enquiries.accept, made.id, actor=h.title)
        frozen.at = local("2026-11-02 09:00")
        k1 = window_case(h, 3, clerk3, civil)
        frozen.at = local("2026-11-20 10:00")
        r1 = h.ask("report", topic="INSURE")
        h.do(enquiries.request_extension, c2.id, days=30, reason="需要现场核查。",
             actor=h.title)
        frozen.at = local("2026-11-23 10:00")
        h.do(enquiries.accept, r1.id, actor=manager)
        frozen.at = local("2026-11-25 10:00")
        q2, _q3 = h.ask(), h.ask()
        frozen.at = local("2026-11-26 10:00")
        q1 = h.ask()
        with h.session() as s:
            deadlines.tick(s, now=local("2026-11-30 17:00"))

        frozen.at = local("2026-12-01 09:00")
        k2 = window_case(h, 4, clerk4, civil)
        h.do(cases.decide, k2, outcome="approved", actor=civil)
        frozen.at = local("2026-12-01 10:00")
        h.do(cases.decide, k1, outcome="approved", actor=civil)
        frozen.at = local("2026-12-01 11:00")
        h.do(enquiries.reply, q1.id, body="可以补交。", actor=h.title)
        h.do(enquiries.reply, q2.id, body="迟到的答复。", actor=h.title)
        h.do(enquiries.conclude, c1.id, note="已核实并处理。", actor=h.title)
        h.do(enquiries.decide_extension, c2.id, approve=True, actor=manager)
        h.do(enquiries.conclude, r1.id, note="已查处。", actor=manager)
        h.ask("report", topic="INSURE")
        c3 = h.ask("complaint")
        h.do(enquiries.decline, c3.id, reason="不属于本单位职责。", actor=h.title)
        with h.session() as s:
            deadlines.tick(s, now=local("2026-12-01 12:00"))


def window_case(h: EnquiryHall, window: int, clerk, division) -> int:
    """A ticket issued, called at ``window`` and accepted as a case, taken up: its id."""
    with h.session() as s:
        ticket = issuing.issue_ticket(s, "HQ", "EXAM")
        queue.open_window(s, "HQ", window, actor=clerk)
        queue.call_ticket(s, "HQ", window, ticket.number, actor=clerk)
        case = cases.accept(s, "HQ", window, actor=clerk, applicant_name="李四",
                            subject="资格复审")
        case_id = case.id
        cases.take(s, case_id, actor=division)
    return case_id


# The day's rows: channel → (received, responded on time, late, concluded on time, late,
# extended, open yellow, open red), and the figures beside them.
EXPECTED = {
    # K1, decided late, is still the division's work (to be closed): red, as the dashboard's
    # "Cases overdue" counts it.
    "hall": ((1, None, None, 1, 1, 0, 0, 1), {"tickets": 1}),
    "consultation": ((0, 1, 1, None, None, None, 0, 1), {}),
    "complaint": ((1, 1, 0, 0, 1, 1, 0, 0), {"accepted": 0, "declined": 1}),
    "report": ((1, 0, 0, 1, 0, 0, 0, 0), {"accepted": 0, "declined": 0}),
}


def columns(row: channel_figures.ChannelRow) -> tuple:
    return (row.received, row.responded_on_time, row.responded_late, row.concluded_on_time,
            row.concluded_late, row.extended, row.open_yellow, row.open_red)


def day_rows(app, period_of=lambda hall: stats.Period.day(hall, DAY)):
    with app.app_context(), clock.frozen(local("2026-12-01 12:30")):
        hall = get_hall(db.session, "HQ")
        return channel_figures.figures(db.session, period_of(hall))


def test_the_day_counts_each_channel_side_by_side(app):
    scripted_autumn(app)
    rows = day_rows(app)
    assert [r.channel for r in rows] == ["hall", "consultation", "complaint", "report"]
    for r in rows:
        assert (columns(r), r.details) == EXPECTED[r.channel], r.channel
    consultation = rows[1]
    assert (consultation.responded, consultation.responded_rate) == (2, 0.5)
    assert rows[0].concluded_rate == 0.5


def test_the_day_before_and_november_see_other_moves(app):
    scripted_autumn(app)
    monday = {r.channel: r for r in day_rows(
        app, lambda hall: stats.Period.day(hall, date(2026, 11, 30)))}
    assert columns(monday["consultation"]) == (0, 0, 0, None, None, None, 0, 1)
    november = {r.channel: r for r in day_rows(
        app, lambda hall: stats.Period.month(hall, 2026, 11))}
    assert columns(november["consultation"])[:3] == (3, 0, 0)  # Q1, Q2, Q3 arrived
    assert columns(november["report"])[:3] == (1, 1, 0)         # R1 arrived, accepted
    assert columns(november["hall"])[:5] == (1, None, None, 0, 0)  # K1 accepted, not decided
    assert november["hall"].details == {"tickets": 1}


def test_an_online_applications_row_plugs_in_as_a_builder(app):
    """What the lead adds after merging ``hall.applications``: one builder in the list."""
    got = {"submitted": 5, "accepted": 2, "deemed_accepted": 1, "refused": 1, "withdrawn": 0,
           "awaiting_prereview": 1, "prereview_on_time": 3, "prereview_late": 1}
    seen = []

    def application_rows(c: channel_figures.Counting) -> list[channel_figures.ChannelRow]:
        seen.append((c.period.hall_id, c.period.start, c.period.end))
        return [channel_figures.application_row(got)]

    with app.app_context():
        hall = get_hall(db.session, "HQ")
        rows = channel_figures.figures(
            db.session, stats.Period.day(hall, DAY), local("2026-12-01 12:00"),
            builders=[channel_figures.hall_rows, application_rows,
                      channel_figures.enquiry_rows])
    assert [r.channel for r in rows] == ["hall", "application", "consultation", "complaint",
                                         "report"]
    application = rows[1]
    assert (application.online, application.name_en) == (True, "Online applications")
    assert columns(application) == (5, 3, 1, None, None, None, None, None)
    assert application.details["deemed_accepted"] == 1
    assert seen == [(hall.id, stats.Period.day(hall, DAY).start,
                     stats.Period.day(hall, DAY).end)]
    flat = channel_figures.totals(rows)
    assert (flat["application_responded_late"], flat["application_concluded_late"],
            flat["application_awaiting_prereview"]) == (1, None, 1)


def test_the_deadline_rule_is_the_events_rule(app):
    """On time is what the moves' events said when they happened (``on_time``)."""
    scripted_autumn(app)
    import sqlalchemy as sa

    from hall.models import Event
    with app.app_context():
        said = {}
        for kind, data in db.session.execute(sa.select(Event.kind, Event.data).where(
                Event.kind.in_(("enquiry.answered", "enquiry.concluded", "enquiry.declined",
                                "case.decided")), Event.at >= local("2026-12-01 00:00"))):
            said.setdefault(kind, []).append(data["on_time"])
    assert sorted(said["enquiry.answered"]) == [False, True]
    assert sorted(said["enquiry.concluded"]) == [False, True]
    assert said["enquiry.declined"] == [True]
    assert sorted(said["case.decided"]) == [False, True]
