"""The address in QR codes: a server that would print codes no phone can open says so loudly
as it starts (``run.py`` here; gunicorn in tests/test_gunicorn.py)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from hall.web.qr_address import qr_address_warnings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import _server  # noqa: E402  (bench/_server.py: start, wait_ready, stop, free_port)


@pytest.mark.parametrize("host, base, says", [
    ("127.0.0.1", "", "no phone can open"),                      # the fresh clone
    ("0.0.0.0", "http://localhost:5000", "no phone can open"),
    ("0.0.0.0", "http://127.0.0.1:5000", "no phone can open"),
    ("0.0.0.0", "http://[::1]:5000", "no phone can open"),
    ("0.0.0.0", "", "whatever address each kiosk"),
    ("0.0.0.0", "http://192.168.1.10:5000", "only phones on the hall's own network"),
    ("10.3.0.7", "", "only phones on the hall's own network"),
])
def test_a_loopback_or_private_qr_address_is_named(host, base, says):
    warnings = qr_address_warnings({"HOST": host, "PUBLIC_BASE_URL": base})
    assert len(warnings) == 1 and says in warnings[0]
    assert "PUBLIC_BASE_URL" in warnings[0]


@pytest.mark.parametrize("host, base", [
    ("0.0.0.0", "https://hall.example.gov.cn"),
    ("127.0.0.1", "http://202.97.224.68:5000"),  # behind a proxy on this machine
    ("0.0.0.0", "https://rsj.hlj.gov.cn/hall"),
])
def test_a_public_qr_address_is_fine(host, base):
    assert qr_address_warnings({"HOST": host, "PUBLIC_BASE_URL": base}) == []


def run_py(tmp_path, sqlite_template, **env) -> str:
    """Start ``python run.py`` as a user does, wait until it serves, stop it: its output."""
    shutil.copy(sqlite_template, tmp_path / "hall.db")
    port = _server.free_port()
    environ = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "DATABASE_URL", "PUBLIC_BASE_URL", "HOST")}
    environ.update({"INSTANCE_PATH": str(tmp_path / "instance"), "PORT": str(port),
                    "DATABASE_URL": f"sqlite:///{tmp_path / 'hall.db'}",
                    "SECRET_KEY": "qr-test", "SCHEDULER_ENABLED": "0", **env})
    log = tmp_path / "run.log"
    proc = _server.start([sys.executable, "run.py"], environ, log)
    try:
        _server.wait_ready(proc, port, "GET", "/healthz", timeout=30)
    finally:
        _server.stop(proc)
    return log.read_text(errors="replace")


def test_run_py_on_loopback_warns_at_start(tmp_path, sqlite_template):
    output = run_py(tmp_path, sqlite_template, HOST="127.0.0.1")
    assert "!!! QR codes on tickets and receipts will point at 127.0.0.1" in output
    assert "PUBLIC_BASE_URL" in output


def test_run_py_with_a_public_address_is_quiet(tmp_path, sqlite_template):
    output = run_py(tmp_path, sqlite_template, HOST="127.0.0.1",
                    PUBLIC_BASE_URL="https://hall.example.gov.cn")
    assert "QR codes" not in output
