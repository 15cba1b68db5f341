"""Administration pages (admin role): the working-day calendar for now."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
