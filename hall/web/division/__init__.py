"""The division console (/hall/<hall>/cases): the inbox by deadline and each case with its
history and the moves its state allows. Routes in ``routes``, the moves and words of a case in
``case_actions``, templates in ``templates/division``, the script in ``static/division.js``."""
from .routes import bp

__all__ = ["bp"]
