"""The methods' default parameters, as factors of kind "method_default" (one value each, versioned like any factor).

Status is "confirmed" only where the value was checked against the guideline's own text; every value below comes from
sector-methods.md, where it is marked UNCONFIRMED, [C] (third-party code only) or cited from a secondary report of
the notice, and none could be checked against a primary text here: all are seeded "unconfirmed" with their citation.
migrations/versions/0023_*_method_defaults.py inserts the same rows (tests/accounting/test_methods.py compares them).
"""
KIND = "method_default"
UNCONFIRMED = "unconfirmed"
_M1 = ("MEE 2022 reporting notice (关于做好2022年企业温室气体排放报告管理相关重点工作的通知) as quoted in "
       "public copies (chemical.chemlinked.com); sector-methods.md §2 [M1]; primary text not checked")
_C = "sector-methods.md [C]: third-party implementations of the NDRC 24-industry guidelines; guideline text not checked"
_U = "sector-methods.md: UNCONFIRMED"

# (code, unit, value, name_zh, name_en, source)
ROWS = (
    ("power_coal.carbon_content_untested", "tC/GJ", "0.03085", "未实测元素碳含量缺省值", "Coal carbon content, month without a valid test", _M1),
    ("power_coal.oxidation_rate", "1", "0.99", "燃煤碳氧化率（发电）", "Coal oxidation rate (power units)", _U + " (§2)"),
    ("fuel_gas.oxidation_rate", "1", "0.99", "燃料气碳氧化率", "Fuel gas oxidation rate", "fuel-factors.csv refinery_gas; tables differ (0.98); sector-methods.md §3"),
    ("flare.oxidation_rate", "1", "0.98", "火炬燃烧碳氧化率", "Flare oxidation rate", _C + " (§3)"),
    ("accident_flare.oxidation_rate", "1", "0.98", "事故火炬碳氧化率", "Accident flare oxidation rate", _C + " (§3, as the normal flare)"),
    ("accident_flare.carbon_number_refining", "1", "5", "事故火炬气平均碳数（炼油）", "Accident flare gas carbon number, refining", _C + " (§3)"),
    ("accident_flare.carbon_number_chemicals", "1", "3", "事故火炬气平均碳数（化工）", "Accident flare gas carbon number, chemicals", _C + " (§3)"),
    ("fcc_coke_burn.carbon_fraction", "%", "100", "催化烧焦焦炭含碳量", "FCC coke carbon fraction", _C + " (§3)"),
    ("fcc_coke_burn.oxidation_rate", "1", "0.98", "催化烧焦碳氧化率", "FCC coke burn oxidation rate", _C + " (§3)"),
    ("raw_meal.organic_carbon", "%", "0.2", "生料有机碳含量", "Raw meal organic carbon (dry)", _U + " (§6: 0.1–0.3 %)"),
    ("nitric_acid.ef_high_pressure", "t/t", "0.0139", "硝酸N2O排放因子（高压法）", "Nitric acid N2O, high pressure", _C + " (§4)"),
    ("nitric_acid.ef_medium_pressure", "t/t", "0.0118", "硝酸N2O排放因子（中压法）", "Nitric acid N2O, medium pressure", _C + " (§4)"),
    ("nitric_acid.ef_atmospheric", "t/t", "0.0097", "硝酸N2O排放因子（常压法）", "Nitric acid N2O, atmospheric", _C + " (§4)"),
    ("nitric_acid.ef_dual_pressure", "t/t", "0.0080", "硝酸N2O排放因子（双加压法）", "Nitric acid N2O, dual pressure", _C + " (§4)"),
    ("nitric_acid.ef_combined", "t/t", "0.0075", "硝酸N2O排放因子（综合法）", "Nitric acid N2O, combined", _C + " (§4)"),
    ("nitric_acid.ef_low_pressure", "t/t", "0.0050", "硝酸N2O排放因子（低压法）", "Nitric acid N2O, low pressure", _C + " (§4)"),
    ("nitric_acid.nscr_efficiency", "%", "85", "NSCR尾气处理N2O去除率", "NSCR N2O removal efficiency", _C + " (§4)"),
    ("adipic_acid.ef", "t/t", "0.300", "己二酸N2O排放因子（硝酸氧化法）", "Adipic acid N2O (nitric oxidation)", _U + " (§4)"),
    ("equipment_leaks.ef_oil_wellhead", "t/yr", "0.23", "油井井口CH4逃逸因子", "Oil wellhead CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_single_well_tank", "t/yr", "0.38", "单井储油装置CH4逃逸因子", "Single-well tank CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_transfer_station", "t/yr", "0.18", "接转站CH4逃逸因子", "Transfer station CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_combined_station", "t/yr", "1.40", "联合站CH4逃逸因子", "Combined station CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_gas_wellhead", "t/yr", "2.50", "气井井口CH4逃逸因子", "Gas wellhead CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_gathering_station", "t/yr", "27.9", "集气站CH4逃逸因子", "Gathering station CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_metering_station", "t/yr", "8.47", "计量/配气站CH4逃逸因子", "Metering station CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("equipment_leaks.ef_storage_station", "t/yr", "58.37", "储气站CH4逃逸因子", "Storage station CH4 leaks", _C + ", UNCONFIRMED (§7)"),
    ("venting.ef_single_well_tank", "t/yr", "0.22", "单井储油装置CH4放空因子", "Single-well tank CH4 venting", _C + ", UNCONFIRMED (§7)"),
    ("venting.ef_transfer_station", "t/yr", "0.11", "接转站CH4放空因子", "Transfer station CH4 venting", _C + ", UNCONFIRMED (§7)"),
    ("venting.ef_combined_station", "t/yr", "0.45", "联合站CH4放空因子", "Combined station CH4 venting", _C + ", UNCONFIRMED (§7)"),
    ("venting.ef_gathering_station", "t/yr", "23.6", "集气站CH4放空因子", "Gathering station CH4 venting", _C + ", UNCONFIRMED (§7)"),
    ("venting.ef_storage_station", "t/yr", "10.0", "储气站CH4放空因子", "Storage station CH4 venting", _C + ", UNCONFIRMED (§7)"),
)

# GWP of methane by origin (the inventory regime; sector-methods.md §1 and gwp.csv's note): new codes of the gwp kind.
GWP_SOURCE = "IPCC {set} 100-year GWP by origin, as noted in shared/reference/gwp.csv"
GWP_ROWS = (
    ("CH4-fossil", "AR5", "30"), ("CH4-non-fossil", "AR5", "28"),
    ("CH4-fossil", "AR6", "29.8"), ("CH4-non-fossil", "AR6", "27.0"),
)
