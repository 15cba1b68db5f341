# Read by the `flask` command (python-dotenv): `.venv/bin/flask calendar due 2026-09-18 20`.
FLASK_APP=hall.web:create_app
