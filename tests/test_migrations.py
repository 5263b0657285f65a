"""One linear Alembic history, revisions that never import the app, and the migrated schema equals the models."""
import ast
import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from app.extensions import db as _db
from tests.conftest import SEEDED_TABLES

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def _script(app):
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def _schema_differences():
    with _db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, _db.metadata)


def _seeded_rows():
    """The seeded reference rows, without the time they were inserted."""
    rows = {}
    for name in SEEDED_TABLES:
        table = _db.metadata.tables[name]
        columns = [table.c.id, *(c for c in table.c if c.name not in ("id", "published_at"))]
        rows[name] = [tuple(r) for r in _db.session.execute(select(*columns).order_by(table.c.id))]
    _db.session.remove()
    return rows


def test_single_head(app):
    with app.app_context():
        assert len(_script(app).get_heads()) == 1


def test_migrated_schema_matches_models(app):
    with app.app_context():
        assert _schema_differences() == []


def test_revision_files_sort_in_chain_order(app):
    with app.app_context():
        chain = [s.revision for s in reversed(list(_script(app).walk_revisions()))]
    files = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    assert len(files) == len(chain)
    for number, (name, revision) in enumerate(zip(files, chain), start=1):
        assert re.match(rf"{number:04d}_{revision}_[a-z0-9_]+\.py$", name), (name, number, revision)


def test_revisions_never_import_the_app():
    """An old revision must do forever what it did when written, whatever later becomes of app code."""
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "app" or n.startswith("app.") for n in names), (path.name, names)
        assert '"app"' not in path.read_text(encoding="utf-8"), path.name  # no reading of the app's files either


def test_upgrade_downgrade_upgrade(app):
    """Every downgrade works and an upgrade after it gives the models' schema and the same seeded rows again.

    The session shares this database, so it ends as it began: at head, seeded, `_SEEDED_MAX_ID` still right.
    """
    with app.app_context():
        seeded = _seeded_rows()
        _db.engine.dispose()  # no idle pooled connection (e.g. the browser tests' server) holds what DDL would wait for
        assert _schema_differences() == []
        try:
            downgrade(revision="base")
            assert set(inspect(_db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            upgrade()
        assert _schema_differences() == []
        assert _seeded_rows() == seeded
        for name in SEEDED_TABLES:
            ids = [row[0] for row in seeded[name]]
            assert max(ids) == app.config["_SEEDED_MAX_ID"][name], name


def test_sf6_ar6_gwp_is_corrected_by_a_new_version(db):
    """The library resolves 25,200 (IPCC AR6 WG1 Table 7.15); the seeded 24,300 stays as version 1."""
    from datetime import date
    from decimal import Decimal

    from app.accounting.models import EmissionFactor
    from app.filings.calculations import load_library

    library = load_library()
    assert library.gwp("AR6")["SF6"] == Decimal(25200)
    assert library.gwp("AR6", date(2024, 6, 1))["SF6"] == Decimal(25200)
    current = library.gwp_factors("AR6")["SF6"]
    assert (current.version, current.source) == (2, "IPCC AR6 WG1 Table 7.15")
    versions = db.session.scalars(select(EmissionFactor).where(
        EmissionFactor.kind == "gwp", EmissionFactor.code == "SF6", EmissionFactor.series == "AR6")
        .order_by(EmissionFactor.version)).all()
    assert [(f.version, f.values) for f in versions] == [(1, {"gwp": "24300"}), (2, {"gwp": "25200"})]
    assert "24,300" in versions[1].note
    assert library.gwp("AR5")["SF6"] == Decimal(23500)  # the other sets are untouched
