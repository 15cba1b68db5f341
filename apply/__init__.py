"""Applying online (网上申报), phone first and without JavaScript: the items a hall offers
online, each item's guide and form (its own fields, one upload per required document, the
declaration), and the confirmation with the service number and access code to follow it on
the tracking page (``tracking``), where documents asked for are re-uploaded."""
from flask import Blueprint

# The pages share the look of asking online (``ask``'s stylesheet): no static files of their own.
bp = Blueprint("apply", __name__, url_prefix="/apply", template_folder="templates")

from . import routes  # noqa: E402,F401
