"""Public tracking: a citizen follows a visit by its service number or the ticket's QR, and
rates the service; ``device_bp`` is the rating device (评价器) on each window's counter."""
from flask import Blueprint

bp = Blueprint("tracking", __name__, url_prefix="/track", template_folder="templates",
               static_folder="static", static_url_path="/static")
device_bp = Blueprint("rating_device", __name__, url_prefix="/rate",
                      template_folder="templates")

from . import device, routes  # noqa: E402,F401
