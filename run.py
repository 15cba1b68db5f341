"""Serve the hall (pages, API and Socket.IO) on one port: ``python run.py``."""
from hall.web import create_app, scheduler
from hall.web.qr_address import warn_about_qr_address
from hall.web.serving import RequestHandler

app = create_app()
socketio = app.extensions["socketio"]

if __name__ == "__main__":
    scheduler.start(app)
    base = f"http://{app.config['HOST']}:{app.config['PORT']}"
    print(f"Service Hall: kiosk {base}/kiosk/HQ · tracking {base}/track · API {base}/api/v1/openapi.json",
          flush=True)
    warn_about_qr_address(app.config)  # a QR code no phone can open (README, "Run it")
    # threading mode on Werkzeug's server: one process, nothing to install (see README,
    # "Serving"); production uses gunicorn, documented there.
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"],
                 allow_unsafe_werkzeug=True, log_output=app.config["ACCESS_LOG"],
                 request_handler=RequestHandler)
