"""``flask hours …``: a hall's opening hours from the command line, audited like the page.

    flask hours show HQ                                   → the week and the coming 14 days
    flask hours set HQ mon-fri "08:30-12:00 13:30-17:00" --by admin
    flask hours set HQ sat "" --by admin                  → closed on Saturdays
    flask hours last-ticket HQ 30 --by admin
    flask hours close HQ 2026-12-31 --note "年终盘点" --by admin
    flask hours special HQ 2026-12-30 "09:00-12:00" --by admin
    flask hours clear HQ 2026-12-31 --by admin            → the usual hours again

A change that would cancel bookings (their slots gone) prints them and changes nothing,
unless ``--yes`` is given: then the change and the cancellations are made together.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hall import clock, closures, hours, hours_admin, lookup
from hall.events import Actor
from hall.models import Staff

from ..extensions import db
from .common import refusal_said

hours_group = AppGroup("hours", help="Opening hours of a hall, and their exceptions.")

DATE = click.DateTime(formats=["%Y-%m-%d"])
BY = click.option("--by", "username", required=True, help="The administrator (audited).")
YES = click.option("--yes", is_flag=True,
                   help="Cancel the bookings whose slots the change takes away.")


def _actor(username: str) -> Actor:
    staff = db.session.scalar(select(Staff).where(Staff.username == username))
    if staff is None or not staff.active:
        raise click.BadParameter(f"{username} is not an active member of staff",
                                 param_hint="--by")
    return Actor.of(staff)


def _weekdays(text: str) -> list[int]:
    """``mon``, ``mon-fri``, ``sat,sun``."""
    days: list[int] = []
    try:
        for part in text.lower().split(","):
            first, _sep, last = part.strip().partition("-")
            a = hours.WEEKDAYS.index(first)
            b = hours.WEEKDAYS.index(last) if last else a
            days += range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
    except ValueError:
        raise click.BadParameter(f"{text!r}: write weekdays like mon-fri or sat,sun",
                                 param_hint="WEEKDAYS") from None
    return days


def _changed(hall_code: str, change, actor: Actor, yes: bool):
    """``change`` with the bookings it strands cancelled (``--yes``), or their list printed
    and nothing changed (exit status 1)."""
    with refusal_said():
        try:
            result, cancelled = closures.change_hours(db.session, hall_code, change,
                                                      actor=actor, confirmed=yes)
        except closures.BookingsWouldBeCancelled as warning:
            click.echo(f"{warning}")
            for booking in warning.bookings:
                click.echo(f"  {booking.booking_code}  {booking.start:%Y-%m-%d %H:%M}-"
                           f"{booking.end:%H:%M}  {booking.service_code}")
            click.echo("Nothing changed. Run again with --yes to make the change and cancel "
                       "them.")
            raise SystemExit(1) from None
    for booking in cancelled:
        click.echo(f"Cancelled {booking.booking_code} ({booking.start:%Y-%m-%d %H:%M} "
                   f"{booking.service_code}); its holder is told.")
    return result


@hours_group.command("show")
@click.argument("hall_code")
@click.option("--days", default=14, type=click.IntRange(1, 366), help="Days ahead to show.")
def show_command(hall_code: str, days: int) -> None:
    """The week, the last-ticket minutes and the coming days as the kiosk keeps them."""
    hall = lookup.get_hall(db.session, hall_code.upper())
    opening = hours.of(db.session, hall)
    rules = opening.rules
    click.echo(f"{hall.code}: {'own hours' if rules.own_week else 'default hours'}; last "
               f"ticket {rules.last_ticket_minutes} minutes before each closing")
    for index, name in enumerate(hours.WEEKDAYS):
        click.echo(f"  {name}  {hours.spans_text(rules.week.get(index, ())) or 'closed'}")
    today = clock.local_date(clock.now(), hall.timezone)
    for day in opening.days(today, days):
        tickets = hours.spans_text(opening.ticket_spans(day.day))
        click.echo(f"  {day.day.isoformat()} {day.day:%a} {day.kind:<8} "
                   f"{hours.spans_text(day.spans) or '-':<24} tickets "
                   f"{tickets or '-'} {day.note}".rstrip())


@hours_group.command("set")
@click.argument("hall_code")
@click.argument("weekdays")
@click.argument("spans")
@BY
@YES
def set_command(hall_code: str, weekdays: str, spans: str, username: str, yes: bool) -> None:
    """Open on WEEKDAYS (mon-fri, sat…) in SPANS ("08:30-12:00 13:30-17:00"; "" closes)."""
    with refusal_said():
        week = {d: hours.parse_spans(spans) for d in _weekdays(weekdays)}
    actor = _actor(username)
    changed = _changed(hall_code, lambda: hours_admin.set_week(
        db.session, hall_code, week, actor=actor), actor, yes)
    click.echo("Saved." if changed else "Nothing changed.")


@hours_group.command("last-ticket")
@click.argument("hall_code")
@click.argument("minutes", type=int)
@BY
@YES
def last_ticket_command(hall_code: str, minutes: int, username: str, yes: bool) -> None:
    """Take the last ticket MINUTES before each closing."""
    actor = _actor(username)
    changed = _changed(hall_code, lambda: hours_admin.set_week(
        db.session, hall_code, {}, actor=actor, last_ticket_minutes=minutes), actor, yes)
    click.echo("Saved." if changed else "Nothing changed.")


@hours_group.command("close")
@click.argument("hall_code")
@click.argument("day", type=DATE)
@click.option("--note", default="", help="Why (shown to administrators).")
@BY
@YES
def close_command(hall_code: str, day, note: str, username: str, yes: bool) -> None:
    """Close the hall all day on DAY."""
    actor = _actor(username)
    _changed(hall_code, lambda: hours_admin.set_exception(
        db.session, hall_code, day.date(), (), note, actor=actor), actor, yes)
    click.echo(f"{hall_code} closed on {day.date().isoformat()}.")


@hours_group.command("special")
@click.argument("hall_code")
@click.argument("day", type=DATE)
@click.argument("spans")
@click.option("--note", default="", help="Why (shown to administrators).")
@BY
@YES
def special_command(hall_code: str, day, spans: str, note: str, username: str,
                    yes: bool) -> None:
    """Open the hall on DAY in SPANS only ("09:00-12:00")."""
    with refusal_said():
        parsed = hours.parse_spans(spans)
        if not parsed:
            raise hours.InvalidHours(text=spans)
    actor = _actor(username)
    _changed(hall_code, lambda: hours_admin.set_exception(
        db.session, hall_code, day.date(), parsed, note, actor=actor), actor, yes)
    click.echo(f"{hall_code} on {day.date().isoformat()}: {spans}.")


@hours_group.command("clear")
@click.argument("hall_code")
@click.argument("day", type=DATE)
@BY
@YES
def clear_command(hall_code: str, day, username: str, yes: bool) -> None:
    """Remove DAY's exception: the week and the calendar apply again."""
    actor = _actor(username)
    _changed(hall_code, lambda: hours_admin.remove_exception(
        db.session, hall_code, day.date(), actor=actor), actor, yes)
    click.echo(f"{hall_code} on {day.date().isoformat()}: the usual hours.")
