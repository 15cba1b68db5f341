"""Booking an appointment online (预约办事), phone first and without JavaScript: choose an
item, a day and a slot, give a name and a mobile number, get the confirmation; later open the
booking with its booking code and access code to move or cancel it."""
from flask import Blueprint

bp = Blueprint("booking", __name__, url_prefix="/book", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import manage, routes  # noqa: E402,F401
