"""Seed the fuels the library lacked: coal grades, petroleum coke, naphtha, LNG, blast-furnace and converter gas

Revision ID: 9b3f6d2c8e41
Revises: c4d7e9a1b3f5
Create Date: 2027-01-10 10:00:00

Version 1 from 2000-01-01 of each fuel of the 24-industry guidelines' default table that the reference CSV did not
have (issue 17). The only copy of that table found is a third-party transcription, so every row is "to_confirm"
with that citation until the regulator publishes a confirmed version. The rows are written out here (the same as
app/accounting/fuel_defaults.py at the time), not read from the app, so this revision inserts the same thing forever.
"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "9b3f6d2c8e41"
down_revision = "c4d7e9a1b3f5"
branch_labels = None
depends_on = None

factors = sa.table(
    "emission_factors",
    sa.column("identity", sa.String), sa.column("kind", sa.String), sa.column("code", sa.String),
    sa.column("series", sa.String), sa.column("data_year", sa.Integer), sa.column("version", sa.Integer),
    sa.column("unit", sa.String), sa.column("values", sa.JSON), sa.column("valid_from", sa.Date),
    sa.column("valid_to", sa.Date), sa.column("name_zh", sa.String), sa.column("name_en", sa.String),
    sa.column("status", sa.String), sa.column("source", sa.String),
    sa.column("published_at", sa.DateTime(timezone=True)),
)

STATUS = "to_confirm"
SOURCE = ("NDRC 24-industry GHG accounting guidelines (2013-2015), table of fossil-fuel defaults, as transcribed in a "
          "third-party open-source implementation found by search; guideline text not checked")
# (code, name_zh, name_en, activity unit, NCV (GJ per unit), carbon content (tC/GJ), oxidation rate)
ROWS = [
    ("anthracite", "无烟煤", "Anthracite", "t", "24.515", "0.02749", "0.94"),
    ("bituminous_coal", "烟煤", "Bituminous coal", "t", "23.204", "0.02618", "0.93"),
    ("lignite", "褐煤", "Lignite", "t", "14.449", "0.02800", "0.96"),
    ("washed_coal", "洗精煤", "Washed coal", "t", "26.344", "0.02540", "0.93"),
    ("other_washed_coal", "其他洗煤", "Other washed coal", "t", "15.373", "0.02540", "0.90"),
    ("briquette", "型煤", "Briquettes", "t", "17.46", "0.03360", "0.90"),
    ("petroleum_coke", "石油焦", "Petroleum coke", "t", "31.00", "0.02750", "0.98"),
    ("naphtha", "石脑油", "Naphtha", "t", "41.031", "0.0200", "0.98"),
    ("lng", "液化天然气", "Liquefied natural gas (LNG)", "t", "41.868", "0.01530", "0.99"),
    ("blast_furnace_gas", "高炉煤气", "Blast furnace gas", "10^4 Nm3", "37.69", "0.07080", "0.99"),
    ("converter_gas", "转炉煤气", "Converter gas (BOF gas)", "10^4 Nm3", "79.54", "0.04960", "0.99"),
]


def upgrade():
    now = datetime.now(timezone.utc)
    op.bulk_insert(factors, [
        {"identity": f"fuel|{code}||", "kind": "fuel", "code": code, "series": None, "data_year": None, "version": 1,
         "unit": unit, "values": {"ncv": ncv, "carbon_content": cc, "oxidation_rate": of},
         "valid_from": date(2000, 1, 1), "valid_to": None, "name_zh": name_zh, "name_en": name_en, "status": STATUS,
         "source": SOURCE, "published_at": now}
        for code, name_zh, name_en, unit, ncv, cc, of in ROWS])


def downgrade():
    # Only version 1 as seeded: a version the regulator published later would still cite it; such a database
    # keeps its fuels (downgrading past a regulator's publication is not supported).
    op.execute(factors.delete().where(factors.c.kind == "fuel", factors.c.version == 1,
                                      factors.c.source == SOURCE,
                                      factors.c.code.in_([row[0] for row in ROWS])))
