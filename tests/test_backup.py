"""`flask backup`: a consistent SQLite copy taken while kiosks keep issuing numbers; a clear
refusal on PostgreSQL."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from hall.web.cli.backup import backup_file


def _tickets(path) -> set[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = connection.execute("SELECT service_no FROM tickets").fetchall()
    connection.close()
    return {r[0] for r in rows}


def _integrity(path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        rows = [r[0] for r in connection.execute("PRAGMA integrity_check")]
    connection.close()
    return rows


@pytest.mark.hall_open
def test_backup_while_tickets_are_issued(app, tmp_path):
    committed: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def kiosk():
        client = app.test_client()
        while not stop.is_set() and len(committed) < 400:
            r = client.post("/api/v1/tickets", json={"hall": "HQ", "service": "EXAM"})
            if r.status_code == 201:
                committed.append(r.get_json()["service_no"])  # answered: it is committed
            else:
                failures.append(f"{r.status_code} {r.get_data(as_text=True)[:200]}")

    writers = [threading.Thread(target=kiosk) for _ in range(2)]
    for w in writers:
        w.start()
    runner = app.test_cli_runner()
    backups = []
    try:
        for i in range(3):
            while len(committed) < 20 * (i + 1) and not failures:
                time.sleep(0.005)
            before = set(committed)
            target = tmp_path / "backups" / f"hall-{i}.db"
            result = runner.invoke(args=["backup", str(target)])
            assert result.exit_code == 0, result.output
            assert "integrity ok" in result.output
            backups.append((before, target))
    finally:
        stop.set()
        for w in writers:
            w.join(30)
    assert not failures, failures[:3]
    everything = set(committed)
    assert len(everything) > max(len(before) for before, _ in backups)  # writes went on
    for before, target in backups:
        assert _integrity(target) == ["ok"]
        held = _tickets(target)
        # Every ticket answered before the copy began is in it; nothing in it was invented.
        assert before <= held, sorted(before - held)[:5]
        assert held - before <= everything
        # One self-contained file: nothing left beside it.
        assert not list(target.parent.glob(f"{target.name}-*"))
        assert not list(target.parent.glob(".*.partial"))


def test_default_path_is_in_instance_backups(app, tmp_path, monkeypatch):
    app.instance_path = str(tmp_path / "instance")
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    made = list((tmp_path / "instance" / "backups").glob("hall-*.db"))
    assert len(made) == 1
    assert len(made[0].stem) == len("hall-YYYYMMDD-HHMMSS")
    assert _integrity(made[0]) == ["ok"]


def test_backup_refuses_to_overwrite(app, tmp_path):
    target = tmp_path / "taken.db"
    target.write_bytes(b"something precious")
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert target.read_bytes() == b"something precious"


def test_a_failed_copy_leaves_no_file(tmp_path):
    broken = tmp_path / "not-a-database.db"
    broken.write_bytes(b"this is not sqlite" * 100)
    target = tmp_path / "out.db"
    try:
        backup_file(broken, target)
    except Exception:  # noqa: BLE001 - any refusal will do; what matters is what is left
        pass
    assert not target.exists()
    assert not list(tmp_path.glob(".*.partial"))


def test_postgresql_is_refused_with_pg_dump_named(pg_app):
    result = pg_app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 1
    assert "pg_dump" in result.output
