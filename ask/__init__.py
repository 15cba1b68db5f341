"""Asking, complaining and reporting online (在线咨询、投诉、举报), phone first and without
JavaScript: choose what to send, its topic, write it, leave a name and mobile number (or, for a
report, nothing at all), and get a service number and access code to follow it on the tracking
page (``tracking``), where the office's answers arrive."""
from flask import Blueprint

bp = Blueprint("ask", __name__, url_prefix="/ask", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
