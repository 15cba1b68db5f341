"""The committed migrations build exactly the schema the models describe."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from conftest import make_config
from hall.models import Base
from hall.models.qa import outside_models
from hall.web import create_app
from hall.web.extensions import db


def differences(app) -> list:
    with app.app_context(), db.engine.connect() as connection:
        # the public Q&A's search index is the migration's, not the models' (hall.models.qa)
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda obj, name, kind, reflected, other: not (
                kind == "table" and outside_models(name))
            and not (kind == "index" and outside_models(getattr(obj, "table", None) is not None
                                                        and obj.table.name))})
        return compare_metadata(context, Base.metadata)


def test_migrated_sqlite_matches_the_models(app):
    assert differences(app) == []


def test_migrated_postgresql_matches_the_models(pg_app):
    assert differences(pg_app) == []


def test_migrations_go_down_and_up_again(tmp_path):
    app = create_app(make_config(f"sqlite:///{tmp_path / 'round.db'}"))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert "events" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_sqlite_runs_in_wal_with_the_chosen_durability(tmp_path):
    for setting, expected in (("NORMAL", 1), ("FULL", 2)):
        app = create_app(make_config(f"sqlite:///{tmp_path / (setting + '.db')}",
                                     SQLITE_SYNCHRONOUS=setting))
        with app.app_context(), db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == expected
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        with app.app_context():
            db.engine.dispose()


def test_the_event_log_stays_append_only_after_every_migration(app):
    with app.app_context(), db.engine.connect() as connection:
        triggers = {name for (name,) in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")}
    assert triggers == {"events_append_only_update", "events_append_only_delete"}
