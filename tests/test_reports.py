"""Kept daily reports for managers: the list, the PDF and CSV downloads, who may see them, and
``flask end-of-day``."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from hall import clock, endofday, issuing
from hall.web.extensions import db
from test_auth import sign_in

NINE = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in the hall
PAGE = "/hall/HQ/reports"


def closed_monday(app) -> None:
    with app.app_context(), clock.frozen(NINE) as frozen:
        for code in ("EXAM", "EXAM", "CONSULT"):
            issuing.issue_ticket(db.session, "HQ", code)
        frozen.advance(hours=9, minutes=5)
        endofday.close_day(db.session, "HQ")
        db.session.remove()


def test_a_manager_lists_the_kept_days_and_downloads_them(app, client):
    closed_monday(app)
    sign_in(client, "manager")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'data-day="2026-11-23"' in page and "data-reports" in page
    assert f"{PAGE}/2026-11-23.pdf" in page and f"{PAGE}/2026-11-23.csv" in page

    pdf = client.get(f"{PAGE}/2026-11-23.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="HQ-2026-11-23.pdf"'
    text = " ".join(PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text().split())
    assert "合计 Total 3 0 0 3" in text  # three tickets, none served, all three unserved

    got = client.get(f"{PAGE}/2026-11-23.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert got.headers["Content-Disposition"] == 'attachment; filename="HQ-2026-11-23.csv"'
    assert got.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[rows.index([]) - 1][:4] == ["TOTAL", "合计", "Total", "3"]  # ends the services

    english = client.get(PAGE + "?lang=en").get_data(as_text=True)
    assert "Daily reports" in english


def test_a_day_without_a_report_is_not_found(app, client):
    closed_monday(app)
    sign_in(client, "manager")
    for path in (f"{PAGE}/2026-11-24.pdf", f"{PAGE}/2026-11-24.csv", f"{PAGE}/2026-13-01.pdf",
                 f"{PAGE}/monday.csv"):
        assert client.get(path).status_code == 404, path


def test_clerks_and_other_halls_managers_may_not_see_them(app, client):
    closed_monday(app)
    sign_in(client, "clerk03")
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}/2026-11-23.pdf").status_code == 403
    client.post("/logout", data={})
    other = app.test_client()
    sign_in(other, "hrb-manager")
    assert other.get(PAGE).status_code == 403
    assert other.get(f"{PAGE}/2026-11-23.csv").status_code == 403
    assert other.get("/hall/HRB/reports").status_code == 200


def test_the_command_closes_a_day_once(app):
    with app.app_context(), clock.frozen(NINE):
        issuing.issue_ticket(db.session, "HQ", "EXAM")
        db.session.remove()
    runner = app.test_cli_runner()
    with clock.frozen(NINE + timedelta(hours=10)):
        first = runner.invoke(args=["end-of-day", "--hall", "HQ", "--day", "2026-11-23"])
        again = runner.invoke(args=["end-of-day", "--hall", "HQ", "--day", "2026-11-23"])
        unknown = runner.invoke(args=["end-of-day", "--hall", "NOPE"])
    assert first.exit_code == 0, first.output
    assert "HQ 2026-11-23: 1 not served" in first.output
    assert "already closed" in again.output
    assert unknown.exit_code != 0
