"""Public tracking: a citizen follows a visit by its service number or the ticket's QR."""
from flask import Blueprint

bp = Blueprint("tracking", __name__, url_prefix="/track", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
