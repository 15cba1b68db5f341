"""The public Q&A of a hall (智能问答), for anyone, phone first and without JavaScript: a
search box over the answers the divisions published and the service guide, the results
linked, and each answer on a page of its own."""
from flask import Blueprint

bp = Blueprint("qa", __name__, url_prefix="/qa", template_folder="templates",
               static_folder="static", static_url_path="/static")

from . import routes  # noqa: E402,F401
