"""The kiosk in the hall: pick a service, take a number, print the ticket."""
from flask import Blueprint

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
