"""``flask booking …``: how a hall takes bookings, from the command line, audited like the page.

    flask booking rules HQ                                → the hall's booking rules
    flask booking rules HQ --slot-minutes 20 --walk-in-percent 40 --by admin
    flask booking rules HQ --remote-percent 0 --by admin  → no queueing from home
    flask booking places HQ                               → each item's places per slot now
    flask booking places HQ EXAM 4 --by admin             → 4 places per slot, set by hand
    flask booking places HQ EXAM auto --by admin          → computed from the windows
    flask booking places HQ EXAM closed --by admin        → closed to booking

A refusal says why on stderr, exits with status 1 and writes nothing.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from hall import booking_admin, lookup, slots

from ..extensions import db
from .common import administrator, refusal_said

booking_group = AppGroup("booking", help="Booking rules of a hall, and places per slot.")

OPTIONS = {"slot_minutes": "--slot-minutes", "walk_in_percent": "--walk-in-percent",
           "days_ahead": "--days-ahead", "cancel_before_minutes": "--cancel-before",
           "remote_percent": "--remote-percent"}
MODES = {"auto": booking_admin.COMPUTED, "closed": booking_admin.CLOSED}
MODE_WORDS = {booking_admin.COMPUTED: "computed from the windows",
              booking_admin.BY_HAND: "set by hand", booking_admin.CLOSED: "closed to booking"}


def _show_rules(hall) -> None:
    rules = slots.rules_of(db.session, hall)
    click.echo(f"{hall.code}: slots of {rules.slot_minutes} minutes, "
               f"{rules.walk_in_percent}% kept for walk-ins, {rules.days_ahead} open days "
               f"ahead, cancel until {rules.cancel_before_minutes} minutes before, "
               f"{rules.remote_percent}% of a day's capacity taken from home")


@booking_group.command("rules")
@click.argument("hall_code")
@click.option("--slot-minutes", "slot_minutes", help="Minutes of one slot (5-240).")
@click.option("--walk-in-percent", "walk_in_percent",
              help="Share of a slot's places kept for walk-ins (0-100).")
@click.option("--days-ahead", "days_ahead", help="Open days ahead one may book (1-60).")
@click.option("--cancel-before", "cancel_before_minutes",
              help="Cancel and move until this many minutes before the slot (0-10080).")
@click.option("--remote-percent", "remote_percent",
              help="Share of an item's capacity of the day taken from home (0-100; 0: off).")
@click.option("--by", "username", help="The administrator (audited); needed to change.")
def rules_command(hall_code: str, username: str | None, **given: str | None) -> None:
    """Show the hall's booking rules, or change those given (the others stay)."""
    with refusal_said():
        hall = lookup.get_hall(db.session, hall_code.upper())
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        _show_rules(hall)
        return
    if username is None:
        raise click.UsageError("--by is needed to change the rules")
    actor = administrator(username)
    current = slots.rules_of(db.session, hall)
    values = {name: changes.get(name, getattr(current, name)) for name in OPTIONS}
    with refusal_said():
        changed = booking_admin.set_rules(db.session, hall.code, values, actor=actor)
    click.echo("Saved." if changed else "Nothing changed.")
    _show_rules(hall)


@booking_group.command("places")
@click.argument("hall_code")
@click.argument("service_code", required=False)
@click.argument("places", required=False)
@click.option("--by", "username", help="The administrator (audited); needed to change.")
def places_command(hall_code: str, service_code: str | None, places: str | None,
                   username: str | None) -> None:
    """Each item's places per slot now (or SERVICE_CODE's), or set them to PLACES: a
    number (by hand), auto (computed from the windows) or closed."""
    with refusal_said():
        hall = lookup.get_hall(db.session, hall_code.upper())
    if places is not None:
        if username is None:
            raise click.UsageError("--by is needed to change the places")
        actor = administrator(username)
        mode = MODES.get(places.strip().lower(), booking_admin.BY_HAND)
        with refusal_said():
            changed = booking_admin.set_places(db.session, hall.code, service_code or "", mode,
                                               places, actor=actor)
        click.echo("Saved." if changed else "Nothing changed.")
    for item in booking_admin.items(db.session, hall, days=0):
        if service_code is not None and item.service.code != service_code.upper():
            continue
        click.echo(f"  {item.service.code:<8} {item.places:>3} places per slot "
                   f"({MODE_WORDS[item.mode]}), {item.remote_places} from home today")
        for slot in item.overfull:
            click.echo(f"           over-full: {slot.start:%Y-%m-%d %H:%M} has {slot.taken} "
                       f"taken; the bookings stay, no new one is taken")
