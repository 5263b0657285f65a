"""Seed the factor library with version 1 of every factor in app/accounting/reference

Revision ID: 5b1e0c7a9d21
Revises: 31883dd78a15
Create Date: 2026-11-25 03:30:00

The figures and their citations come from shared/reference as it was on 2026-11-25 (copied into
app/accounting/reference): China's default fuel parameters, official grid factors, IPCC GWP sets, the heat factor,
stoichiometric carbonate factors. The rows are written out here, not read from the app, so this revision inserts the
same thing forever. Later versions are published by the regulator in the app (or by a later revision, e.g. the SF6
AR6 correction) and never replace these rows.
"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "5b1e0c7a9d21"
down_revision = "31883dd78a15"
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

# (kind, code, series, data_year, unit, values, name_zh, name_en, status, source); each is version 1,
# valid from 2000-01-01 with no end. Values are decimal strings, as the app stores them.
ROWS = [
    ('fuel', 'raw_coal', None, None, 't', {'ncv': '20.908', 'carbon_content': '0.02637', 'oxidation_rate': '0.94'}, '原煤', 'Raw coal', 'unverified CC and OF', 'NCV: GB/T 2589 Appendix A (5000 kcal/kg); CC/OF: national 24-industry accounting guidelines (2013-2015), not confirmed from primary text'),
    ('fuel', 'coke', None, None, 't', {'ncv': '28.435', 'carbon_content': '0.0295', 'oxidation_rate': '0.93'}, '焦炭', 'Coke', 'verified NCV; CC varies 0.0294-0.0295', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'crude_oil', None, None, 't', {'ncv': '41.816', 'carbon_content': '0.0201', 'oxidation_rate': '0.98'}, '原油', 'Crude oil', 'verified', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'fuel_oil', None, None, 't', {'ncv': '41.816', 'carbon_content': '0.0211', 'oxidation_rate': '0.98'}, '燃料油', 'Fuel oil', 'verified', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'gasoline', None, None, 't', {'ncv': '43.070', 'carbon_content': '0.0189', 'oxidation_rate': '0.98'}, '汽油', 'Gasoline', 'verified', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'diesel', None, None, 't', {'ncv': '42.652', 'carbon_content': '0.0202', 'oxidation_rate': '0.98'}, '柴油', 'Diesel', 'verified', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'kerosene', None, None, 't', {'ncv': '43.070', 'carbon_content': '0.0196', 'oxidation_rate': '0.98'}, '煤油', 'Kerosene', 'verified (some tables 0.0195)', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'lpg', None, None, 't', {'ncv': '50.179', 'carbon_content': '0.0172', 'oxidation_rate': '0.98'}, '液化石油气', 'Liquefied petroleum gas', 'verified', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'refinery_gas', None, None, 't', {'ncv': '45.998', 'carbon_content': '0.0182', 'oxidation_rate': '0.99'}, '炼厂干气', 'Refinery gas', 'tables differ (NCV 46.055; OF 0.98)', 'NCV: national industry accounting guidelines; GB/T 2589 lists 46.055'),
    ('fuel', 'natural_gas', None, None, '10^4 Nm3', {'ncv': '389.31', 'carbon_content': '0.0153', 'oxidation_rate': '0.99'}, '天然气', 'Natural gas', 'verified', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('fuel', 'coke_oven_gas', None, None, '10^4 Nm3', {'ncv': '179.81', 'carbon_content': '0.01358', 'oxidation_rate': '0.99'}, '焦炉煤气', 'Coke oven gas', 'tables differ (173.854 / 0.0121 or 0.0136)', 'NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines'),
    ('electricity', 'China', 'national_average', 2021, 'MWh', {'ef': '0.5568'}, '', 'China grid, national average, 2021', 'verified', 'MEE/NBS announcement 2024 No. 12 (12 Apr 2024)'),
    ('electricity', 'China', 'fossil_only', 2021, 'MWh', {'ef': '0.8426'}, '', 'China grid, fossil-fired power only, 2021', 'verified', 'MEE/NBS announcement 2024 No. 12'),
    ('electricity', 'China', 'national_average', 2022, 'MWh', {'ef': '0.5366'}, '', 'China grid, national average, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'China', 'residual_mix', 2022, 'MWh', {'ef': '0.5856'}, '', 'China grid, national average excluding market-traded non-fossil, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'China', 'fossil_only', 2022, 'MWh', {'ef': '0.8325'}, '', 'China grid, fossil-fired power only, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'China', 'ets_compliance', 2022, 'MWh', {'ef': '0.5703'}, '', 'China grid, national ETS compliance factor, 2022', 'verified', 'MEE notice on 2023-2025 power-sector GHG reporting (Feb 2023)'),
    ('electricity', 'China', 'national_average', 2023, 'MWh', {'ef': '0.5306'}, '', 'China grid, national average, 2023', 'verified', 'MEE/NBS announcement (published 2026), as reported by China Electric Power News'),
    ('electricity', 'China', 'residual_mix', 2023, 'MWh', {'ef': '0.6096'}, '', 'China grid, national average excluding market-traded non-fossil, 2023', 'verified', 'MEE/NBS announcement (published 2026)'),
    ('electricity', 'China', 'fossil_only', 2023, 'MWh', {'ef': '0.8273'}, '', 'China grid, fossil-fired power only, 2023', 'verified', 'MEE/NBS announcement (published 2026)'),
    ('electricity', 'North', 'regional_average', 2022, 'MWh', {'ef': '0.6776'}, '', 'North grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'Northeast', 'regional_average', 2022, 'MWh', {'ef': '0.5564'}, '', 'Northeast grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'East', 'regional_average', 2022, 'MWh', {'ef': '0.5617'}, '', 'East grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'Central', 'regional_average', 2022, 'MWh', {'ef': '0.5395'}, '', 'Central grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'Northwest', 'regional_average', 2022, 'MWh', {'ef': '0.5857'}, '', 'Northwest grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'South', 'regional_average', 2022, 'MWh', {'ef': '0.3869'}, '', 'South grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('electricity', 'Southwest', 'regional_average', 2022, 'MWh', {'ef': '0.2268'}, '', 'Southwest grid, regional, 2022', 'verified', 'MEE/NBS announcement (20 Dec 2024)'),
    ('gwp', 'CO2', 'SAR', None, '1', {'gwp': '1'}, '', 'CO2', '', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CO2', 'AR4', None, '1', {'gwp': '1'}, '', 'CO2', '', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CO2', 'AR5', None, '1', {'gwp': '1'}, '', 'CO2', '', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CO2', 'AR6', None, '1', {'gwp': '1'}, '', 'CO2', '', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CH4', 'SAR', None, '1', {'gwp': '21'}, '', 'CH4', 'AR5 fossil 30; AR6 fossil 29.8, non-fossil 27.0', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CH4', 'AR4', None, '1', {'gwp': '25'}, '', 'CH4', 'AR5 fossil 30; AR6 fossil 29.8, non-fossil 27.0', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CH4', 'AR5', None, '1', {'gwp': '28'}, '', 'CH4', 'AR5 fossil 30; AR6 fossil 29.8, non-fossil 27.0', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CH4', 'AR6', None, '1', {'gwp': '27.9'}, '', 'CH4', 'AR5 fossil 30; AR6 fossil 29.8, non-fossil 27.0', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'N2O', 'SAR', None, '1', {'gwp': '310'}, '', 'N2O', '', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'N2O', 'AR4', None, '1', {'gwp': '298'}, '', 'N2O', '', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'N2O', 'AR5', None, '1', {'gwp': '265'}, '', 'N2O', '', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'N2O', 'AR6', None, '1', {'gwp': '273'}, '', 'N2O', '', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'SF6', 'SAR', None, '1', {'gwp': '23900'}, '', 'SF6', '', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'SF6', 'AR4', None, '1', {'gwp': '22800'}, '', 'SF6', '', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'SF6', 'AR5', None, '1', {'gwp': '23500'}, '', 'SF6', '', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'SF6', 'AR6', None, '1', {'gwp': '24300'}, '', 'SF6', '', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'NF3', 'AR4', None, '1', {'gwp': '17200'}, '', 'NF3', '', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'NF3', 'AR5', None, '1', {'gwp': '16100'}, '', 'NF3', '', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'NF3', 'AR6', None, '1', {'gwp': '17400'}, '', 'NF3', '', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-134a', 'SAR', None, '1', {'gwp': '1300'}, '', 'HFC-134a', '', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-134a', 'AR4', None, '1', {'gwp': '1430'}, '', 'HFC-134a', '', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-134a', 'AR5', None, '1', {'gwp': '1300'}, '', 'HFC-134a', '', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-134a', 'AR6', None, '1', {'gwp': '1530'}, '', 'HFC-134a', '', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-23', 'SAR', None, '1', {'gwp': '11700'}, '', 'HFC-23', 'AR6 value not confirmed from primary table', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-23', 'AR4', None, '1', {'gwp': '14800'}, '', 'HFC-23', 'AR6 value not confirmed from primary table', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-23', 'AR5', None, '1', {'gwp': '12400'}, '', 'HFC-23', 'AR6 value not confirmed from primary table', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'HFC-23', 'AR6', None, '1', {'gwp': '14600'}, '', 'HFC-23', 'AR6 value not confirmed from primary table', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CF4', 'SAR', None, '1', {'gwp': '6500'}, '', 'CF4', '', 'IPCC SAR 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CF4', 'AR4', None, '1', {'gwp': '7390'}, '', 'CF4', '', 'IPCC AR4 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CF4', 'AR5', None, '1', {'gwp': '6630'}, '', 'CF4', '', 'IPCC AR5 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('gwp', 'CF4', 'AR6', None, '1', {'gwp': '7380'}, '', 'CF4', '', 'IPCC AR6 100-year GWP, as tabulated in shared/reference/gwp.csv'),
    ('heat', 'default', None, None, 'GJ', {'ef': '0.11'}, '外购热力', 'Purchased heat', 'guideline default', 'guideline default, GB/T 32150-2015 / national industry accounting guidelines, as stated in shared/reference/worked-examples.md'),
    ('steam_conversion', 'default', None, None, 't', {'feedwater_enthalpy_kj_per_kg': '83.74', 'water_ref_temp_c': '20', 'water_heat_capacity_kj_per_kg_k': '4.1868'}, '蒸汽/热水折热', 'Steam and hot water to heat', 'to confirm', 'industry accounting guidelines, as stated in shared/reference/worked-examples.md, section "Steam"'),
    ('process', 'limestone', None, None, 't', {'ef': '0.43971'}, '石灰石/方解石', 'Limestone / calcite (CaCO3)', 'verified', 'stoichiometric ratio (IPCC 2006 Guidelines Vol. 3 Table 2.1)'),
    ('process', 'magnesite', None, None, 't', {'ef': '0.52197'}, '菱镁矿', 'Magnesite (MgCO3)', 'verified', 'stoichiometric ratio (IPCC 2006 Guidelines Vol. 3 Table 2.1)'),
    ('process', 'dolomite', None, None, 't', {'ef': '0.47732'}, '白云石', 'Dolomite (CaMg(CO3)2)', 'verified', 'stoichiometric ratio (IPCC 2006 Guidelines Vol. 3 Table 2.1)'),
    ('process', 'soda_ash', None, None, 't', {'ef': '0.41492'}, '纯碱', 'Soda ash (Na2CO3)', 'to confirm: IPCC Table 2.1 value; molar-mass ratio gives 0.41523', 'stoichiometric ratio (IPCC 2006 Guidelines Vol. 3 Table 2.1)'),
    ('combustion_non_co2', 'natural_gas', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '1', 'n2o_kg_per_tj': '0.1'}, '天然气', 'Natural gas', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'crude_oil', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '3', 'n2o_kg_per_tj': '0.6'}, '原油', 'Crude oil', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'fuel_oil', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '3', 'n2o_kg_per_tj': '0.6'}, '燃料油', 'Fuel oil', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'gasoline', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '3', 'n2o_kg_per_tj': '0.6'}, '汽油', 'Gasoline', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'diesel', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '3', 'n2o_kg_per_tj': '0.6'}, '柴油', 'Diesel', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'kerosene', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '3', 'n2o_kg_per_tj': '0.6'}, '煤油', 'Kerosene', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'lpg', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '1', 'n2o_kg_per_tj': '0.1'}, '液化石油气', 'Liquefied petroleum gas', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'refinery_gas', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '1', 'n2o_kg_per_tj': '0.1'}, '炼厂干气', 'Refinery gas', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'raw_coal', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '1', 'n2o_kg_per_tj': '1.5'}, '原煤', 'Raw coal', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'coke', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '1', 'n2o_kg_per_tj': '1.5'}, '焦炭', 'Coke', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
    ('combustion_non_co2', 'coke_oven_gas', 'stationary', None, 'TJ', {'ch4_kg_per_tj': '1', 'n2o_kg_per_tj': '0.1'}, '焦炉煤气', 'Coke oven gas', 'from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use', 'IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary combustion in the energy industries, kg/TJ on a net calorific basis)'),
]


def upgrade():
    now = datetime.now(timezone.utc)
    op.bulk_insert(factors, [
        {"identity": f"{kind}|{code}|{series or ''}|{data_year or ''}", "kind": kind, "code": code, "series": series,
         "data_year": data_year, "version": 1, "unit": unit, "values": values, "valid_from": date(2000, 1, 1),
         "valid_to": None, "name_zh": name_zh, "name_en": name_en, "status": status, "source": source,
         "published_at": now}
        for kind, code, series, data_year, unit, values, name_zh, name_en, status, source in ROWS
    ])


def downgrade():
    op.execute(factors.delete().where(factors.c.version == 1))
