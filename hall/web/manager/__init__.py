"""The manager's pages: the live dashboard (``dashboard``, with ``charts``), the kept daily
reports and the month's statistics (``reports``), the follow-ups of poor ratings
(``followups``), the requests for extensions (``extension_requests``), the notifications
that failed or are stuck (``notifications``) and the door's QR code of the day for queueing
from home (``door``). One blueprint per
page group, so that endpoint names stay ``dashboard.*``, ``reports.*``…; templates in
``templates/``, scripts and styles in ``static/`` (served by the ``dashboard`` blueprint)."""
from .dashboard import bp as dashboard_bp
from .door import bp as door_bp
from .extension_requests import bp as extension_requests_bp
from .followups import bp as followups_bp
from .notifications import bp as notifications_bp
from .reports import bp as reports_bp

__all__ = ["dashboard_bp", "door_bp", "extension_requests_bp", "followups_bp",
           "notifications_bp", "reports_bp"]
