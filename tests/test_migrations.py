"""One linear Alembic history, and the migrated schema equals the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate  # noqa: F401

from app.extensions import db as _db


def _script(app):
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_single_head(app):
    with app.app_context():
        assert len(_script(app).get_heads()) == 1


def test_migrated_schema_matches_models(app):
    with app.app_context(), _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, _db.metadata) == []


def test_revision_files_are_named_date_first(app):
    import re
    from pathlib import Path

    for path in (Path(app.root_path).parent / "migrations" / "versions").glob("*.py"):
        assert re.match(r"\d{8}_[0-9a-f]+_", path.name), path.name
