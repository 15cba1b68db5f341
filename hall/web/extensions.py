"""Flask extensions, created unbound and bound to each app in ``create_app``."""
from flask_babel import Babel
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from hall.models import Base

# Objects stay readable after their transaction commits: a view answers with the ticket it
# just issued without loading it again.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
# render_as_batch: SQLite can only change a table by copying it; Alembic does that for us.
migrate = Migrate(render_as_batch=True, compare_type=True)
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()
