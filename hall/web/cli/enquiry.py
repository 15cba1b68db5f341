"""``flask enquiry …``: a hall's time limits for questions, complaints and reports, and its
topics, from the command line, audited like the page (issue 15).

    flask enquiry rules HQ                                     → every kind's limits
    flask enquiry rules HQ complaint --respond-days 10 --by admin
    flask enquiry rules HQ consultation --respond-unit calendar --by admin
    flask enquiry topics HQ                                    → the topics and their divisions

A changed limit applies to what is sent from then on. A refusal says why on stderr, exits with
status 1 and writes nothing.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup

from hall import enquiry_admin, lookup
from hall import enquiry_deadlines as limits
from hall.models.enquiries import KINDS

from ..extensions import db
from .common import administrator, refusal_said

enquiry_group = AppGroup("enquiry", help="Time limits and topics of questions and complaints.")


def _show(hall) -> None:
    for kind, rule in limits.rules_of(db.session, hall.id).items():
        line = f"  {kind:<13} respond in {rule.respond.days} {rule.respond.unit} days"
        if rule.conclude:
            line += f", conclude in {rule.conclude.days} {rule.conclude.unit} days"
            line += (f", extendable once by {rule.extension_days}" if rule.extension_days
                     else ", no extension")
        click.echo(line)


@enquiry_group.command("rules")
@click.argument("hall_code")
@click.argument("kind", required=False, type=click.Choice(KINDS))
@click.option("--respond-days", "respond_days", help="Days to answer, or accept or decline.")
@click.option("--respond-unit", "respond_unit", type=click.Choice(("working", "calendar")))
@click.option("--conclude-days", "conclude_days", help="Days to conclude, from acceptance.")
@click.option("--conclude-unit", "conclude_unit", type=click.Choice(("working", "calendar")))
@click.option("--extension-days", "extension_days", help="Days of the one extension (0: none).")
@click.option("--by", "username", help="The administrator (audited); needed to change.")
def rules_command(hall_code: str, kind: str | None, username: str | None,
                  **given: str | None) -> None:
    """Show the hall's limits, or change KIND's (the values not given stay)."""
    with refusal_said():
        hall = lookup.get_hall(db.session, hall_code.upper())
    changes = {name: value for name, value in given.items() if value is not None}
    if changes:
        if kind is None:
            raise click.UsageError("name the KIND to change: consultation, complaint, report")
        if username is None:
            raise click.UsageError("--by is needed to change the limits")
        actor = administrator(username)
        with refusal_said():
            changed = enquiry_admin.set_rule(db.session, hall.code, kind, changes, actor=actor)
        click.echo("Saved; it applies to what is sent from now on." if changed
                   else "Nothing changed.")
    click.echo(f"{hall.code}:")
    _show(hall)


@enquiry_group.command("topics")
@click.argument("hall_code")
def topics_command(hall_code: str) -> None:
    """The hall's topics, the division answering each, the kinds each takes."""
    with refusal_said():
        hall = lookup.get_hall(db.session, hall_code.upper())
    for topic in enquiry_admin.topics(db.session, hall.id):
        takes = ",".join(k for k in KINDS if topic.allows(k))
        click.echo(f"  {topic.code:<10} {topic.division.code:<8} {takes:<32} "
                   f"{'' if topic.active else '(not offered) '}{topic.name_zh}")
