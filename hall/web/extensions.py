"""Flask extensions, created unbound and bound to each app in ``create_app``."""
from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from hall.models import Base

from . import memory_limits  # noqa: F401  (registers hall-memory:// with limits)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    class _RequestSession(Session):
        def remove(self) -> None: ...

    class _SQLAlchemy(SQLAlchemy):
        # The request's scoped session stands for a Session (it passes every call on to the
        # current one, and adds remove()): the domain takes it as the Session of its moves.
        session: _RequestSession  # type: ignore[assignment]
else:
    _SQLAlchemy = SQLAlchemy

# Objects stay readable after their transaction commits: a view answers with the ticket it
# just issued without loading it again.
db = _SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
# render_as_batch: SQLite can only change a table by copying it; Alembic does that for us.
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Limits are declared where they apply (sign-in, token requests); storage is in-process by
# default and Redis when REDIS_URL is set, so that several processes share the counts.
limiter = Limiter(key_func=get_remote_address)
# Socket.IO is made per app in create_app: Flask-SocketIO keeps server options (a message
# queue among them) on its object, and one app's must not leak into the next.


def limits_on_views_only(app) -> None:
    """Drop Flask-Limiter's check before every request.

    That hook looks for default, application and blueprint limits, and the hall has none:
    every limit is a decorator on the view it guards (``shared_limit``), which checks it
    itself. The hook still resolved scopes and exemptions for each request, a fifth of the
    cost of a public read. Should such a limit ever be configured, the app refuses to start
    rather than leave it unapplied."""
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits:
        raise RuntimeError("default, application or blueprint rate limits are configured; "
                           "the hall checks limits in view decorators only")
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [hook for hook in hooks
                if getattr(hook, "__func__", None) is not type(limiter)._check_request_limit]
