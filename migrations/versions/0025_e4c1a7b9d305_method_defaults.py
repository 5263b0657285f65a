"""Seed the sector methods' default parameters (kind method_default) and methane's GWP by origin

Revision ID: e4c1a7b9d305
Revises: e5b8a2d4c6f1
Create Date: 2026-12-03 20:40:00

Defaults of the calculation methods in shared/reference/sector-methods.md (power_coal's untested-month carbon content,
flare and FCC oxidation rates, nitric acid N2O factors, oil and gas leak and vent factors, ...), one value per factor,
version 1 from 2000-01-01, each with its citation. None could be checked against a guideline's own text, so all are
"unconfirmed" until the regulator publishes a confirmed version. The rows are written out here (the same as
app/accounting/methods/defaults.py at the time), not read from the app, so this revision inserts the same thing forever.
CH4 fossil/non-fossil GWPs are new codes of the AR5 and AR6 sets (the inventory's methane by origin).
"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "e4c1a7b9d305"
down_revision = "e5b8a2d4c6f1"
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

KIND = "method_default"
STATUS = "unconfirmed"
# (code, unit, value, name_zh, name_en, source)
ROWS = [
    ('power_coal.carbon_content_untested', 'tC/GJ', '0.03085', '未实测元素碳含量缺省值', 'Coal carbon content, month without a valid test', 'MEE 2022 reporting notice (关于做好2022年企业温室气体排放报告管理相关重点工作的通知) as quoted in public copies (chemical.chemlinked.com); sector-methods.md §2 [M1]; primary text not checked'),
    ('power_coal.oxidation_rate', '1', '0.99', '燃煤碳氧化率（发电）', 'Coal oxidation rate (power units)', 'sector-methods.md: UNCONFIRMED (§2)'),
    ('fuel_gas.oxidation_rate', '1', '0.99', '燃料气碳氧化率', 'Fuel gas oxidation rate', 'fuel-factors.csv refinery_gas; tables differ (0.98); sector-methods.md §3'),
    ('flare.oxidation_rate', '1', '0.98', '火炬燃烧碳氧化率', 'Flare oxidation rate', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§3)'),
    ('accident_flare.oxidation_rate', '1', '0.98', '事故火炬碳氧化率', 'Accident flare oxidation rate', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§3, as the normal flare)'),
    ('accident_flare.carbon_number_refining', '1', '5', '事故火炬气平均碳数（炼油）', 'Accident flare gas carbon number, refining', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§3)'),
    ('accident_flare.carbon_number_chemicals', '1', '3', '事故火炬气平均碳数（化工）', 'Accident flare gas carbon number, chemicals', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§3)'),
    ('fcc_coke_burn.carbon_fraction', '%', '100', '催化烧焦焦炭含碳量', 'FCC coke carbon fraction', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§3)'),
    ('fcc_coke_burn.oxidation_rate', '1', '0.98', '催化烧焦碳氧化率', 'FCC coke burn oxidation rate', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§3)'),
    ('raw_meal.organic_carbon', '%', '0.2', '生料有机碳含量', 'Raw meal organic carbon (dry)', 'sector-methods.md: UNCONFIRMED (§6: 0.1–0.3 %)'),
    ('nitric_acid.ef_high_pressure', 't/t', '0.0139', '硝酸N2O排放因子（高压法）', 'Nitric acid N2O, high pressure', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('nitric_acid.ef_medium_pressure', 't/t', '0.0118', '硝酸N2O排放因子（中压法）', 'Nitric acid N2O, medium pressure', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('nitric_acid.ef_atmospheric', 't/t', '0.0097', '硝酸N2O排放因子（常压法）', 'Nitric acid N2O, atmospheric', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('nitric_acid.ef_dual_pressure', 't/t', '0.0080', '硝酸N2O排放因子（双加压法）', 'Nitric acid N2O, dual pressure', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('nitric_acid.ef_combined', 't/t', '0.0075', '硝酸N2O排放因子（综合法）', 'Nitric acid N2O, combined', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('nitric_acid.ef_low_pressure', 't/t', '0.0050', '硝酸N2O排放因子（低压法）', 'Nitric acid N2O, low pressure', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('nitric_acid.nscr_efficiency', '%', '85', 'NSCR尾气处理N2O去除率', 'NSCR N2O removal efficiency', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked (§4)'),
    ('adipic_acid.ef', 't/t', '0.300', '己二酸N2O排放因子（硝酸氧化法）', 'Adipic acid N2O (nitric oxidation)', 'sector-methods.md: UNCONFIRMED (§4)'),
    ('equipment_leaks.ef_oil_wellhead', 't/yr', '0.23', '油井井口CH4逃逸因子', 'Oil wellhead CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_single_well_tank', 't/yr', '0.38', '单井储油装置CH4逃逸因子', 'Single-well tank CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_transfer_station', 't/yr', '0.18', '接转站CH4逃逸因子', 'Transfer station CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_combined_station', 't/yr', '1.40', '联合站CH4逃逸因子', 'Combined station CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_gas_wellhead', 't/yr', '2.50', '气井井口CH4逃逸因子', 'Gas wellhead CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_gathering_station', 't/yr', '27.9', '集气站CH4逃逸因子', 'Gathering station CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_metering_station', 't/yr', '8.47', '计量/配气站CH4逃逸因子', 'Metering station CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('equipment_leaks.ef_storage_station', 't/yr', '58.37', '储气站CH4逃逸因子', 'Storage station CH4 leaks', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('venting.ef_single_well_tank', 't/yr', '0.22', '单井储油装置CH4放空因子', 'Single-well tank CH4 venting', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('venting.ef_transfer_station', 't/yr', '0.11', '接转站CH4放空因子', 'Transfer station CH4 venting', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('venting.ef_combined_station', 't/yr', '0.45', '联合站CH4放空因子', 'Combined station CH4 venting', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('venting.ef_gathering_station', 't/yr', '23.6', '集气站CH4放空因子', 'Gathering station CH4 venting', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
    ('venting.ef_storage_station', 't/yr', '10.0', '储气站CH4放空因子', 'Storage station CH4 venting', 'sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked, UNCONFIRMED (§7)'),
]
# (gas code, GWP set, value, source)
GWP_ROWS = [
    ('CH4-fossil', 'AR5', '30', 'IPCC AR5 100-year GWP by origin, as noted in shared/reference/gwp.csv'),
    ('CH4-non-fossil', 'AR5', '28', 'IPCC AR5 100-year GWP by origin, as noted in shared/reference/gwp.csv'),
    ('CH4-fossil', 'AR6', '29.8', 'IPCC AR6 100-year GWP by origin, as noted in shared/reference/gwp.csv'),
    ('CH4-non-fossil', 'AR6', '27.0', 'IPCC AR6 100-year GWP by origin, as noted in shared/reference/gwp.csv'),
]


def upgrade():
    now = datetime.now(timezone.utc)
    rows = [{"identity": f"{KIND}|{code}||", "kind": KIND, "code": code, "series": None, "data_year": None,
             "version": 1, "unit": unit, "values": {"value": value}, "valid_from": date(2000, 1, 1), "valid_to": None,
             "name_zh": name_zh, "name_en": name_en, "status": STATUS, "source": source, "published_at": now}
            for code, unit, value, name_zh, name_en, source in ROWS]
    rows += [{"identity": f"gwp|{code}|{set_name}|", "kind": "gwp", "code": code, "series": set_name,
              "data_year": None, "version": 1, "unit": "1", "values": {"gwp": value}, "valid_from": date(2000, 1, 1),
              "valid_to": None, "name_zh": "", "name_en": code, "status": "", "source": source, "published_at": now}
             for code, set_name, value, source in GWP_ROWS]
    op.bulk_insert(factors, rows)


def downgrade():
    op.execute(factors.delete().where(factors.c.kind == KIND))
    op.execute(factors.delete().where(factors.c.kind == "gwp",
                                      factors.c.code.in_(sorted({code for code, *_rest in GWP_ROWS}))))
