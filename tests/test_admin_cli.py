"""``flask admin …``: the operator's scripts, audited like the pages."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from hall.models import Event, ServiceItem, Staff, Window
from hall.web.extensions import db
from test_auth import sign_in


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def admin_events(app) -> list[Event]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Event).where(Event.kind.like("admin.%"))
                                       .order_by(Event.id)))


def test_add_staff_who_can_then_sign_in(runner, app):
    result = runner.invoke(args=["admin", "add-staff", "HQ", "clerk23", "--name", "王芳",
                                 "--role", "clerk", "--by", "admin"],
                           input="window23go\nwindow23go\n")
    assert result.exit_code == 0, result.output
    assert "clerk23 (clerk) added to HQ" in result.output
    assert sign_in(app.test_client(), "clerk23", "window23go").status_code == 302
    (event,) = admin_events(app)
    assert (event.kind, event.actor) == ("admin.staff_created", "admin")


def test_reset_password_and_deactivate(runner, app):
    result = runner.invoke(args=["admin", "reset-password", "clerk05", "--by", "admin",
                                 "--password", "fresh5start"])
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "clerk05", "fresh5start").status_code == 302
    result = runner.invoke(args=["admin", "deactivate", "clerk05", "--by", "admin"])
    assert result.exit_code == 0
    assert sign_in(app.test_client(), "clerk05", "fresh5start").status_code == 401
    result = runner.invoke(args=["admin", "deactivate", "clerk05", "--again", "--by", "admin"])
    assert result.exit_code == 0
    assert [e.kind for e in admin_events(app)] == [
        "admin.password_reset", "admin.staff_deactivated", "admin.staff_reactivated"]


def test_refusals_print_the_reason_and_write_nothing(runner, app):
    result = runner.invoke(args=["admin", "reset-password", "clerk05", "--by", "admin",
                                 "--password", "weak"])
    assert result.exit_code == 1 and "at least 8" in result.output
    result = runner.invoke(args=["admin", "add-staff", "HQ", "clerk03", "--name", "x",
                                 "--role", "clerk", "--by", "admin", "--password", "good4pass"])
    assert result.exit_code == 1 and "already taken" in result.output
    result = runner.invoke(args=["admin", "add-window", "HQ", "3", "--by", "admin"])
    assert result.exit_code == 1 and "already has a window 3" in result.output
    result = runner.invoke(args=["admin", "set-time-limit", "HQ", "EXAM", "999", "--by", "admin"])
    assert result.exit_code == 1 and "from 0 to 250" in result.output
    result = runner.invoke(args=["admin", "add-window", "HQ", "40", "--by", "clerk03"])
    assert result.exit_code == 2 and "not an active administrator" in result.output
    assert admin_events(app) == []


def test_windows_divisions_and_time_limits(runner, app):
    result = runner.invoke(args=["admin", "add-window", "HQ", "23", "--service", "EXAM",
                                 "--service", "agency", "--name-zh", "综合", "--by", "admin"])
    assert result.exit_code == 0, result.output
    assert "serves EXAM, AGENCY" in result.output or "serves AGENCY, EXAM" in result.output
    result = runner.invoke(args=["admin", "set-window-services", "HQ", "23", "--by", "admin"])
    assert result.exit_code == 0 and "out of service" in result.output
    result = runner.invoke(args=["admin", "add-division", "HQ", "AUDIT", "--name-zh", "审计处",
                                 "--name-en", "Audit", "--by", "admin"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["admin", "set-time-limit", "HQ", "EXAM", "30", "--by", "admin"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.code == "EXAM",
                                                              ServiceItem.hall.has(code="HQ")))
        assert (item.time_limit_days, item.legal_limit_days) == (30, 30)
        assert db.session.scalar(sa.select(Window).where(Window.no == 23)).services == []
        assert db.session.scalar(sa.select(Staff).where(Staff.username == "admin"))
    assert [e.kind for e in admin_events(app)] == [
        "admin.window_added", "admin.window_disabled", "admin.division_created",
        "admin.service_edited"]
