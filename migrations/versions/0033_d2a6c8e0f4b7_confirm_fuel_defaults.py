"""Confirm the fuels seeded "to_confirm" (0029) against the national standard's table: version 2 of each

Revision ID: d2a6c8e0f4b7
Revises: f7a3c5e9b1d2
Create Date: 2027-01-20 10:00:00

Version 1 of these eleven fuels came from a third-party table that named no source. Their values were checked against
GB/T 32151.22-2024 Appendix C Table C.1 (common fossil-fuel defaults), read in a public transcription that names the
standard and table (LNG also in GB/T 32151.10-2023 Table C.1; four NCVs also IPCC 2006 Vol. 2 Table 1.2): briquettes
were right, the others had at least one value from another table. Published the way the regulator publishes a
correction in the app: the next version of each factor, valid for every month the version it replaces was, so the
library resolves the new values from now on while version 1 stays and every stored calculation keeps the version it
used until it is recalculated (the factor page lists those months). Nothing is edited in place. The rows are written
out here (the same as app/accounting/fuel_defaults.py CONFIRMED_* at the time), not read from the app.
"""
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "d2a6c8e0f4b7"
down_revision = "f7a3c5e9b1d2"
branch_labels = None
depends_on = None

factors = sa.table(
    "emission_factors",
    sa.column("id", sa.Integer), sa.column("identity", sa.String), sa.column("kind", sa.String),
    sa.column("code", sa.String), sa.column("series", sa.String), sa.column("data_year", sa.Integer),
    sa.column("version", sa.Integer), sa.column("unit", sa.String), sa.column("values", sa.JSON),
    sa.column("valid_from", sa.Date), sa.column("valid_to", sa.Date), sa.column("name_zh", sa.String),
    sa.column("name_en", sa.String), sa.column("status", sa.String), sa.column("source", sa.String),
    sa.column("note", sa.Text), sa.column("published_at", sa.DateTime(timezone=True)),
    sa.column("published_by_id", sa.Integer),
)

CONFIRMED_STATUS = "confirmed"
CONFIRMED_SOURCE = ("GB/T 32151.22-2024, Appendix C, Table C.1 (default values of common fossil-fuel parameters), "
                    "read in a public transcription naming the standard and table; LNG also GB/T 32151.10-2023 "
                    "Table C.1; NCVs of anthracite, lignite, petroleum coke and naphtha as IPCC 2006 Vol. 2 "
                    "Table 1.2")
CONFIRMED_NOTE = ("Checked against the national standard's table: version 1 came from a table that named no source, "
                  "and values that differed are corrected. Calculations already made keep the version they used "
                  "until they are recalculated.")
UNCHANGED_NOTE = "Checked against the national standard's table: the values of version 1 are confirmed unchanged."
# (code, NCV (GJ per unit), carbon content (tC/GJ), oxidation rate)
CONFIRMED_ROWS = [
    ("anthracite", "26.7", "0.0274", "0.94"),
    ("bituminous_coal", "19.570", "0.0261", "0.93"),
    ("lignite", "11.9", "0.0280", "0.96"),
    ("washed_coal", "26.334", "0.02541", "0.90"),
    ("other_washed_coal", "12.545", "0.02541", "0.90"),
    ("briquette", "17.460", "0.0336", "0.90"),
    ("petroleum_coke", "32.5", "0.02750", "0.98"),
    ("naphtha", "44.5", "0.0200", "0.98"),
    ("lng", "51.498", "0.0153", "0.98"),
    ("blast_furnace_gas", "33.00", "0.07080", "0.99"),
    ("converter_gas", "84.00", "0.04960", "0.99"),
]


def _numbers(values: dict) -> dict:
    return {key: Decimal(str(value)) for key, value in values.items()}


def upgrade():
    conn = op.get_bind()
    now = datetime.now(timezone.utc)
    rows = []
    for code, ncv, cc, of in CONFIRMED_ROWS:
        identity = f"fuel|{code}||"
        latest = conn.execute(
            sa.select(factors.c.version, factors.c["values"], factors.c.unit, factors.c.valid_from,
                      factors.c.valid_to, factors.c.name_zh, factors.c.name_en, factors.c.status)
            .where(factors.c.identity == identity).order_by(factors.c.version.desc()).limit(1)).first()
        values = {"ncv": ncv, "carbon_content": cc, "oxidation_rate": of}
        if latest is None or (latest.status == CONFIRMED_STATUS and _numbers(latest.values) == _numbers(values)):
            continue  # no such fuel, or the regulator has already published these values as confirmed
        unchanged = _numbers(latest.values) == _numbers(values)
        rows.append({
            "identity": identity, "kind": "fuel", "code": code, "series": None, "data_year": None,
            "version": latest.version + 1, "unit": latest.unit, "values": values,
            # Valid for every month the replaced version was: months calculated with it become recalculable.
            "valid_from": latest.valid_from, "valid_to": latest.valid_to,
            "name_zh": latest.name_zh, "name_en": latest.name_en, "status": CONFIRMED_STATUS,
            "source": CONFIRMED_SOURCE, "note": UNCHANGED_NOTE if unchanged else CONFIRMED_NOTE,
            "published_at": now, "published_by_id": None,
        })
    if rows:
        op.bulk_insert(factors, rows)


def downgrade():
    op.execute(factors.delete().where(factors.c.kind == "fuel", factors.c.source == CONFIRMED_SOURCE,
                                      factors.c.note.in_([CONFIRMED_NOTE, UNCHANGED_NOTE]),
                                      factors.c.code.in_([row[0] for row in CONFIRMED_ROWS])))
