"""The calendar as administrators use it: ``flask calendar …`` and the admin page."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from conftest import MONDAY_0930
from hall import calendar, clock
from hall.models import CalendarDay, CalendarYear, Event, Hall
from hall.web.extensions import db
from test_auth import csrf_token, sign_in

PAGE = "/admin/calendar"

NOTICE_2027 = """# 2027 is not published yet: plausible days for the test, not the real notice
2027-01-01 holiday 元旦
2027-02-05 holiday 春节
2027-02-08 holiday 春节
2027-02-20 workday 春节   # make-up Saturday
"""


@pytest.fixture(autouse=True)
def in_november_2026():
    """The page shows this year and the next: make "this year" 2026 whatever the date."""
    with clock.frozen(MONDAY_0930):
        yield


@pytest.fixture
def runner(app):
    with app.app_context():
        calendar.import_official(db.session)
    return app.test_cli_runner()


def calendar_year(app, year: int) -> CalendarYear | None:
    with app.app_context():
        return db.session.get(CalendarYear, year)


def events(app, kind: str) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).where(Event.kind == kind)))


def day_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(CalendarDay))


# -- the command line ---------------------------------------------------------------------------

def test_due_prints_the_due_day(runner):
    result = runner.invoke(args=["calendar", "due", "2026-09-18", "20"])
    assert (result.exit_code, result.output) == (0, "2026-10-22\n")
    result = runner.invoke(args=["calendar", "due", "2026-02-13", "5"])
    assert result.output == "2026-02-27\n"


def test_due_with_pauses_a_hall_and_a_provisional_year(runner, app):
    result = runner.invoke(args=["calendar", "due", "2026-11-23", "5",
                                 "--pause", "2026-11-25:2026-11-27", "--hall", "HQ"])
    assert result.output == "2026-12-02\n"
    result = runner.invoke(args=["calendar", "due", "2026-12-20", "20"])
    assert result.output == "2027-01-15 (provisional: 2027 has no official notice yet)\n"
    result = runner.invoke(args=["calendar", "due", "2026-11-23", "5", "--pause", "nonsense"])
    assert result.exit_code == 2 and "START:END" in result.output
    result = runner.invoke(args=["calendar", "due", "2026-11-23", "5", "--hall", "NOPE"])
    assert result.exit_code == 2


def test_import_official_says_what_it_imported(runner):
    result = runner.invoke(args=["calendar", "import-official"])
    assert result.exit_code == 0 and "Nothing to import" in result.output


def test_enter_a_notice_from_a_file_and_show_it(runner, app, tmp_path):
    before = runner.invoke(args=["calendar", "show", "2027"])
    assert before.output.startswith("2027: no official notice yet")
    path = tmp_path / "2027.txt"
    path.write_text(NOTICE_2027, encoding="utf-8")
    result = runner.invoke(args=["calendar", "enter", "2027", str(path),
                                 "--notice", "国办发明电〔2026〕X号", "--by", "admin"])
    assert result.exit_code == 0, result.output
    assert "2027 is official" in result.output
    shown = runner.invoke(args=["calendar", "show", "2027"]).output.splitlines()
    assert shown[0] == ("2027: official (国办发明电〔2026〕X号); 3 holidays on weekdays, "
                        "1 make-up working days")
    assert shown[1:] == ["  2027-01-01 Fri holiday  元旦", "  2027-02-05 Fri holiday  春节",
                         "  2027-02-08 Mon holiday  春节", "  2027-02-20 Sat workday  春节"]
    assert runner.invoke(args=["calendar", "due", "2026-12-20", "20"]).output == "2027-01-18\n"
    assert [e.actor for e in events(app, "calendar.notice_entered")] == ["admin"]


def test_enter_refuses_a_wrong_file_or_someone_not_an_administrator(runner, app, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("2027-01-02 holiday 元旦\n2027-01-04 workday\nrubbish\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "enter", "2027", str(path), "--notice", "x",
                                 "--by", "admin"])
    # Every problem at once: the line not understood, and what is wrong with the others.
    assert result.exit_code == 1 and "Line 3 is not understood" in result.output
    assert "2027-01-02 is a Saturday or Sunday" in result.output
    assert "2027-01-04 is a weekday" in result.output
    path.write_text(NOTICE_2027, encoding="utf-8")
    result = runner.invoke(args=["calendar", "enter", "2027", str(path), "--notice", "x",
                                 "--by", "clerk03"])
    assert result.exit_code == 2 and "not an active administrator" in result.output
    assert calendar_year(app, 2027) is None


# -- the admin page -----------------------------------------------------------------------------

@pytest.fixture
def admin(client, app):
    with app.app_context():
        calendar.import_official(db.session)
    sign_in(client, "admin")
    client.get("/lang/en")  # messages checked in English; Chinese is the page's default
    return client


def test_only_administrators_see_the_calendar(client):
    r = client.get(PAGE)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=")
    sign_in(client, "clerk03")
    assert client.get(PAGE).status_code == 403
    token = csrf_token(client, "/hall/HQ/windows")
    r = client.post(PAGE + "/notice", data={"csrf_token": token, "year": "2027", "notice": "x",
                                            "lines": "2027-01-01 holiday"})
    assert r.status_code == 403


def test_the_page_shows_every_year_and_answers_when_something_is_due(admin):
    html = admin.get(PAGE).get_data(as_text=True)
    assert 'data-year="2026" data-official="true"' in html
    assert 'data-year="2027" data-official="false"' in html
    assert "chinesecalendar 1.11.0" in html
    # The package's older years in one line, unless every year is asked for.
    assert 'data-year="2023"' not in html and 'data-earlier-years="20"' in html
    assert "Earlier years 2004–2023: all official." in html
    assert 'data-year="2004" data-official="true"' in admin.get(PAGE + "?all=1").get_data(
        as_text=True)
    html = admin.get(PAGE + "?on=2026-09-18&days=20").get_data(as_text=True)
    assert 'data-due="2026-10-22" data-provisional="false"' in html
    html = admin.get(PAGE + "?on=2026-12-20&days=20").get_data(as_text=True)
    assert 'data-due="2027-01-15" data-provisional="true"' in html
    assert "2027 has no official notice yet" in html
    html = admin.get(PAGE + "?on=2026-12-20&days=0").get_data(as_text=True)
    assert "data-due=" not in html and "Between 1 and 1000 working days." in html


def test_the_notice_form_needs_its_csrf_token(admin, app):
    r = admin.post(PAGE + "/notice", data={"year": "2027", "notice": "x",
                                           "lines": "2027-01-01 holiday 元旦"})
    assert r.status_code == 400 and calendar_year(app, 2027) is None


def test_a_wrong_notice_shows_what_to_correct_and_writes_nothing(admin, app):
    before = day_count(app)
    r = admin.post(PAGE + "/notice", data={
        "csrf_token": csrf_token(admin, PAGE), "year": "2027", "notice": "国办发明电〔2026〕X号",
        "lines": "2027-01-01 holiday 元旦\n2027-01-02 holiday\n2027-01-04 workday\n"
                 "2028-01-03 holiday\n2027-01-01 holiday"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    problems = re.search(r"data-notice-problems>(.*?)</div>", html, re.S).group(1)
    for text in ("2027-01-02 is a Saturday or Sunday", "2027-01-04 is a weekday",
                 "2028-01-03 is not in 2027", "2027-01-01 is listed twice"):
        assert text in problems
    assert "2027-01-04 workday" in html  # what was typed is kept for correcting
    r = admin.post(PAGE + "/notice", data={"csrf_token": csrf_token(admin, PAGE),
                                           "year": "2027", "notice": "x",
                                           "lines": "hello\n2027-01-04 workday"})
    assert r.status_code == 422 and "Line 1 is not understood" in r.get_data(as_text=True)
    assert "2027-01-04 is a weekday" in r.get_data(as_text=True)
    r = admin.post(PAGE + "/notice", data={"csrf_token": csrf_token(admin, PAGE),
                                           "year": "2027", "notice": "", "lines": ""})
    assert r.status_code == 422
    assert "List at least one holiday" in r.get_data(as_text=True)
    assert calendar_year(app, 2027) is None and day_count(app) == before
    assert events(app, "calendar.notice_entered") == []


def test_a_good_notice_makes_the_year_official(admin, app):
    r = admin.post(PAGE + "/notice", data={"csrf_token": csrf_token(admin, PAGE),
                                           "year": "2027", "notice": "国办发明电〔2026〕X号",
                                           "lines": NOTICE_2027})
    assert (r.status_code, r.headers["Location"]) == (302, PAGE + "?year=2027")
    html = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "The notice for 2027 is entered" in html
    assert 'data-year="2027" data-official="true"' in html
    assert 'data-day="2027-02-20" data-kind="workday"' in html
    year = calendar_year(app, 2027)
    assert (year.official, year.notice) == (True, "国办发明电〔2026〕X号")
    [entered] = events(app, "calendar.notice_entered")
    assert (entered.actor, entered.data["year"], entered.data["workdays"]) == \
        ("admin", 2027, ["2027-02-20"])
    html = admin.get(PAGE + "?on=2026-12-20&days=20").get_data(as_text=True)
    assert 'data-due="2027-01-18" data-provisional="false"' in html


def test_local_days_are_added_and_removed(admin, app):
    r = admin.post(PAGE + "/local", data={"csrf_token": csrf_token(admin, PAGE),
                                          "day": "2026-11-24", "kind": "holiday",
                                          "name": "地方节日"})
    assert r.status_code == 302
    html = admin.get(PAGE + "?on=2026-11-23&days=1").get_data(as_text=True)
    assert "Local day 2026-11-24 saved." in html
    assert 'data-day="2026-11-24" data-kind="holiday"' in html
    assert 'data-due="2026-11-25"' in html
    with app.app_context():
        hrb = db.session.scalar(sa.select(Hall).where(Hall.code == "HRB"))
        assert calendar.due_date(db.session, hrb.id, date(2026, 11, 23), 1)[0] == \
            date(2026, 11, 24)

    r = admin.post(PAGE + "/local", data={"csrf_token": csrf_token(admin, PAGE),
                                          "day": "2026-10-01", "kind": "holiday"})
    assert r.status_code == 422
    assert "2026-10-01 is already a day off" in r.get_data(as_text=True)

    r = admin.post(PAGE + "/local/remove", data={"csrf_token": csrf_token(admin, PAGE),
                                                 "day": "2026-11-24"})
    assert r.status_code == 302
    html = admin.get(PAGE + "?on=2026-11-23&days=1").get_data(as_text=True)
    assert "Local day 2026-11-24 removed." in html and 'data-due="2026-11-24"' in html
    assert [e.data["set_to"] for e in events(app, "calendar.local_day_set")] == ["holiday", None]
    r = admin.post(PAGE + "/local/remove", data={"day": "2026-11-24"})
    assert r.status_code == 400


def test_the_page_speaks_chinese_by_default(client, app):
    sign_in(client, "admin")
    html = client.get(PAGE).get_data(as_text=True)
    assert 'lang="zh-CN"' in html and 'data-year="2026"' in html
