"""The windows and the online channels side by side (``hall.channel_figures``): a scripted
autumn on the hall's clock, and the same figures on the daily report (kept totals, HTML, PDF,
CSV), the month's statistics page and the dashboard."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from conftest import actor
from enquiry_helpers import Hall as EnquiryHall
from hall import (
    applications,
    cases,
    channel_figures,
    clock,
    dashboard,
    deadlines,
    endofday,
    enquiries,
    issuing,
    live,
    queue,
    reports,
    stats,
)
from hall.lookup import get_hall
from hall.web.extensions import db
from test_auth import sign_in
from test_pdf_glyphs import missing_glyphs

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
    arrives and is declined. Q3 is still unanswered: red.
    Online applications: A2 arrives on Mon 16 Nov (pre-review due Mon 23 Nov), A1 on Tue 24
    Nov (due Tue 1 Dec); on the day both are accepted, A1 in time, A2 late (deemed accepted
    from its arrival), and A3 arrives."""
    h = EnquiryHall(app)
    clerk3, clerk4 = actor(app, "clerk03"), actor(app, "clerk04")
    civil, manager = actor(app, "division01"), h.manager
    archives = actor(app, "division04")  # ARCHPROOF's division
    with clock.frozen(local("2026-09-21 10:00")) as frozen:
        h.clock = frozen
        c1, c2 = h.ask("complaint"), h.ask("complaint")
        frozen.at = local("2026-11-16 10:00")
        a2 = apply_online(h)
        frozen.at = local("2026-11-24 10:00")
        a1 = apply_online(h)
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
        for made in (a1, a2):
            h.do(applications.accept, made, actor=archives)
        apply_online(h)
        with h.session() as s:
            deadlines.tick(s, now=local("2026-12-01 12:00"))


def apply_online(h: EnquiryHall) -> int:
    """An application online for ARCHPROOF with its two documents: its id."""
    from file_helpers import jpeg, pdf

    made = h.do(applications.submit, "HQ", "ARCHPROOF", name="欧阳芒", phone="13900139000",
                values={"purpose": "出国政审", "copies": "2"}, declared=True,
                documents=[(0, "身份证.jpg", jpeg()), (1, "协议.pdf", pdf())])
    return made.id


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
    # A2, accepted late, is a case whose clock started on its arrival: red already.
    "application": ((1, 1, 1, None, None, None, 0, 1),
                    {"accepted": 2, "deemed_accepted": 1, "refused": 0, "withdrawn": 0,
                     "awaiting_prereview": 1}),
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


def test_the_day_counts_each_channel_side_by_side(any_app):
    scripted_autumn(any_app)
    rows = day_rows(any_app)
    assert [r.channel for r in rows] == ["hall", "application", "consultation", "complaint",
                                           "report"]
    for r in rows:
        assert (columns(r), r.details) == EXPECTED[r.channel], r.channel
    consultation = rows[2]
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
    """A source of rows is one builder in the list (here a stand-in for the applications')."""
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


# -- where managers read them ---------------------------------------------------------------------

def closed_day(app) -> dict:
    """The day closed after its business: the kept report's totals."""
    with app.app_context(), clock.frozen(local("2026-12-01 18:05")):
        done = endofday.close_day(db.session, "HQ", DAY)
        db.session.remove()
    return done.totals


def test_the_daily_report_keeps_prints_and_lists_the_channels(app, client):
    scripted_autumn(app)
    totals = closed_day(app)
    for channel, (figures, details) in EXPECTED.items():
        names = ("received", "responded_on_time", "responded_late", "concluded_on_time",
                 "concluded_late", "extended", "open_yellow", "open_red")
        assert tuple(totals[f"{channel}_{n}"] for n in names) == figures, channel
        assert {n: totals[f"{channel}_{n}"] for n in details} == details
    assert reports.channel_summary(totals) == {"hall": 1, "online": 3, "late": 4}
    assert reports.channel_summary({"tickets": 3}) is None  # a report kept before

    sign_in(client, "manager")
    page = client.get("/hall/HQ/reports").get_data(as_text=True)
    listed = dict(re.findall(r'<span data-channel="(\w+)">(\d+)</span>', page))
    assert listed == {"hall": "1", "online": "3", "late": "4"}

    pdf = client.get("/hall/HQ/reports/2026-12-01.pdf").data
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "线上与大厅 Online and at the windows" in text
    assert "大厅窗口办件 Cases at the windows 1 — — 1 1 0 0 1" in text
    assert "网上申办 Online applications 1 1 1 — — — 0 1" in text
    assert "网上咨询 Questions online 0 1 1 — — — 0 1" in text
    assert "网上投诉 Complaints online 1 1 0 0 1 1 0 0" in text
    assert "网上举报 Reports online 1 0 0 1 0 0 0 0" in text
    assert "取号 Tickets issued 1" in text
    assert missing_glyphs(pdf) == []

    got = client.get("/hall/HQ/reports/2026-12-01.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(got)))
    by_channel = {r[0]: r for r in rows if r and r[0] in EXPECTED}
    assert by_channel["complaint"][3:11] == ["1", "1", "0", "0", "1", "1", "0", "0"]
    assert by_channel["consultation"][3:11] == ["0", "1", "1", "", "", "", "0", "1"]
    assert by_channel["hall"][11] == "取号 Tickets issued 1"


def cells(page: str, channel: str) -> list[str]:
    """The figures of a channel's row on a page, as shown."""
    row = page.split(f'data-channel-row="{channel}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r'<td class="num" data-channel-figure="\w+">([^<]*)</td>', row)


def shown(figures: tuple) -> list[str]:
    return ["—" if v is None else str(v) for v in figures]


def test_the_month_s_statistics_show_the_channels_side_by_side(app, client):
    scripted_autumn(app)
    sign_in(client, "manager")
    with clock.frozen(local("2026-12-01 12:30")):
        page = client.get("/hall/HQ/statistics?month=2026-12").get_data(as_text=True)
        english = client.get("/hall/HQ/statistics?month=2026-12&lang=en").get_data(
            as_text=True)
    assert "线上与大厅" in page and "Online and at the windows" in english
    for channel, (figures, _details) in EXPECTED.items():
        assert cells(page, channel) == shown(figures), channel
    assert "不予受理 <span data-channel-figure=\"declined\">1</span>" in page
    assert "Not accepted <span data-channel-figure=\"declined\">1</span>" in english


def test_the_month_s_accountability_covers_what_came_online(app, client):
    scripted_autumn(app)
    sign_in(client, "manager")
    with clock.frozen(local("2026-12-01 12:30")):
        page = client.get("/hall/HQ/reports?month=2026-11").get_data(as_text=True)
    assert "data-enquiries" in page
    row = page.split('data-enquiry-row="consultation"', 1)[1].split("</tr>", 1)[0]
    # Q1, Q2, Q3 arrived in November: Q1 answered on time, Q2 late, Q3 open and red;
    # Q2 and Q3 went red.
    assert re.findall(r"<td>(\d+)</td>", row) == ["3", "1", "1", "0", "0", "1", "1", "2"]


def test_the_dashboard_shows_today_s_channels_and_follows_enquiries(app, client):
    scripted_autumn(app)
    with app.app_context(), clock.frozen(local("2026-12-01 12:30")):
        snap = dashboard.snapshot(db.session, get_hall(db.session, "HQ"))
        body = snap.as_dict()
    assert {r.channel: (columns(r), r.details) for r in snap.channels} == EXPECTED
    assert body["channels"][1]["responded_late"] == 1  # sent live as JSON
    sign_in(client, "manager")
    with clock.frozen(local("2026-12-01 12:30")):
        page = client.get("/hall/HQ/dashboard").get_data(as_text=True)
    assert 'data-panel="channels"' in page
    for channel, (figures, _details) in EXPECTED.items():
        assert cells(page, channel) == shown(figures), channel
    # A question answered or sent online redraws the dashboard (gathered, as bookings do).
    assert live.touches_dashboard({"kind": "enquiry.answered", "seq": None, "data": {}})
    assert live.touches_dashboard({"kind": "enquiry.submitted", "seq": None, "data": {}})


def test_an_application_s_visit_record_is_not_a_ticket_of_the_floor(any_app):
    """Accepting an application makes a visit record (a ticket that never queued) on the
    day it arrived: November's floor counts K1's ticket only, not A1's and A2's records."""
    scripted_autumn(any_app)
    with any_app.app_context():
        hall = get_hall(db.session, "HQ")
        november = stats.Period.month(hall, 2026, 11)
        assert stats.tickets(db.session, november).total.tickets == 1
