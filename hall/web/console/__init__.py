"""The window console (/hall/<hall>/windows/<no>, clerks and supervisors): calling, serving,
transferring, accepting cases, supervising windows. Routes in ``routes``, templates in
``templates/console``, the page's script in ``static/console.js``."""
from .routes import bp

__all__ = ["bp"]
