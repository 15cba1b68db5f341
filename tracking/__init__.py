"""Public tracking: a citizen follows a visit by its service number or the ticket's QR, and
rates the service; ``ticket_bp`` is the live ticket on the phone; ``device_bp`` the rating
device (评价器) on each window's counter."""
from flask import Blueprint

bp = Blueprint("tracking", __name__, url_prefix="/track", template_folder="templates",
               static_folder="static", static_url_path="/static")
device_bp = Blueprint("rating_device", __name__, url_prefix="/rate",
                      template_folder="templates")
# The live ticket on the visitor's phone (``/t/<service number>``, the ticket's QR).
ticket_bp = Blueprint("ticket", __name__, url_prefix="/t", template_folder="templates")

from . import device, enquiry, live, routes  # noqa: E402,F401
