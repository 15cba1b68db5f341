"""``flask calendar …``: the working-day calendar from the command line."""
import click
from flask.cli import AppGroup

calendar_group = AppGroup("calendar", help="The working-day calendar and deadlines.")
