"""Wall displays of a hall: the current call in large type, recent calls, waiting counts,
spoken aloud; fed live over Socket.IO (namespace ``/display``) from the hall's events."""
from flask import Blueprint

bp = Blueprint("display", __name__, url_prefix="/display", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
