"""Queueing from home (远程取号, ``/queue/<hall>``): join today's queue of an item from the
phone, then, at the hall, scan the door's QR code (``/queue/<hall>/here/<door code>``) to be
called. The domain is ``hall.remote``; these are its pages for people."""
from flask import Blueprint

bp = Blueprint("remote", __name__, url_prefix="/queue", template_folder="templates")

from . import routes  # noqa: E402,F401
