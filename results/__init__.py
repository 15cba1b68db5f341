"""Results in the open (办理结果公开) and public notice (公示), for anyone, phone first and
without JavaScript: per hall, the decided cases of the items whose results are public by law
(the applicant masked), each item's figures, and the notices running now, each with its
objection form (an objection opens a complaint)."""
from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
