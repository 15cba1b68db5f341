"""The division console: the inbox of cases by deadline, and each case with its actions."""
from flask import Blueprint

bp = Blueprint("division", __name__, url_prefix="/hall")
