"""What the factor library shows for a factor's status and citation, in the reader's language.

The seeded rows (library.seed_factors) store the notes of whoever transcribed the reference tables ("unverified CC
and OF", "as tabulated in shared/reference/gwp.csv"). Factor rows are never edited (calculations cite them), so
instead of rewriting them this module maps each seeded text to a status from a small vocabulary and to a proper
citation. New versions store a status code from the same vocabulary; a text the map does not know (a citation a
regulator typed) is shown as it was written.
"""
from flask_babel import lazy_gettext as _l

from app.accounting import fuel_defaults

STATUS_LABELS = {
    "confirmed": _l("Confirmed against the published source"),
    "partly_confirmed": _l("Partly confirmed"),
    "to_confirm": _l("To be confirmed from the primary text"),
    "sources_differ": _l("Published tables differ"),
    "guideline_default": _l("Guideline default value"),
}

# Seeded status texts -> (status code, the remark worth keeping, translated).
_SEEDED_STATUSES = {
    "verified": ("confirmed", None),
    "unverified CC and OF": ("partly_confirmed", _l("Net calorific value confirmed; carbon content and oxidation "
                                                     "rate not yet confirmed from the primary text")),
    "verified NCV; CC varies 0.0294-0.0295": ("partly_confirmed", _l("Net calorific value confirmed; carbon "
                                                                      "content is 0.0294 or 0.0295 in other "
                                                                      "tables")),
    "verified (some tables 0.0195)": ("confirmed", _l("Some tables give a carbon content of 0.0195")),
    "tables differ (NCV 46.055; OF 0.98)": ("sources_differ", _l("GB/T 2589 gives a net calorific value of "
                                                                  "46.055; some tables an oxidation rate of 0.98")),
    "tables differ (173.854 / 0.0121 or 0.0136)": ("sources_differ", _l("Other tables give 173.854 for the net "
                                                                         "calorific value and 0.0121 or 0.0136 "
                                                                         "for the carbon content")),
    "guideline default": ("guideline_default", None),
    "to confirm": ("to_confirm", None),
    "to confirm: IPCC Table 2.1 value; molar-mass ratio gives 0.41523": (
        "to_confirm", _l("Value as printed in IPCC Table 2.1; the molar-mass ratio gives 0.41523")),
    "from IPCC 2006 Vol.2 Table 2.2; not in shared/reference, confirm before use": ("to_confirm", None),
    # The GWP table's notes
    "AR5 fossil 30; AR6 fossil 29.8, non-fossil 27.0": (
        "confirmed", _l("Fossil methane: 30 (AR5), 29.8 (AR6); non-fossil methane 27.0 (AR6)")),
    "AR6 WG1 Table 7.15 (an earlier version of this file had 24300, a typing error)": ("confirmed", None),
    "AR6 value not confirmed from primary table": ("to_confirm", _l("The AR6 value is not yet confirmed from the "
                                                                    "primary table")),
    "unconfirmed": ("to_confirm", None),  # the methods' defaults (app/accounting/methods/defaults.py)
}

_ASSESSMENTS = {
    "SAR": _l("IPCC Second Assessment Report (1995), 100-year global warming potentials"),
    "AR4": _l("IPCC Fourth Assessment Report (2007), 100-year global warming potentials"),
    "AR5": _l("IPCC Fifth Assessment Report (2014), 100-year global warming potentials"),
    "AR6": _l("IPCC Sixth Assessment Report (2021), Working Group I, Table 7.15, 100-year global warming "
              "potentials"),
}
_MEE_NBS_DEC_2024 = _l("Ministry of Ecology and Environment and National Bureau of Statistics announcement "
                       "(20 December 2024)")
_MEE_NBS_2026 = _l("Ministry of Ecology and Environment and National Bureau of Statistics announcement "
                   "(published 2026)")

# Seeded citations -> the citation shown (the stored text stays as the record of what was transcribed).
_SEEDED_CITATIONS = {
    ("NCV: GB/T 2589 Appendix A (5000 kcal/kg); CC/OF: national 24-industry accounting guidelines (2013-2015), "
     "not confirmed from primary text"): (
        _l("Net calorific value: GB/T 2589 Appendix A (5000 kcal/kg); carbon content and oxidation rate: the "
           "national guidelines for greenhouse gas accounting and reporting in 24 industries (2013–2015)")),
    "NCV: GB/T 2589 Appendix A; CC/OF: national industry accounting guidelines": (
        _l("Net calorific value: GB/T 2589 Appendix A; carbon content and oxidation rate: national industry "
           "guidelines for greenhouse gas accounting and reporting")),
    "NCV: national industry accounting guidelines; GB/T 2589 lists 46.055": (
        _l("Net calorific value: national industry guidelines for greenhouse gas accounting and reporting "
           "(GB/T 2589 gives 46.055)")),
    "MEE/NBS announcement 2024 No. 12 (12 Apr 2024)": (
        _l("Ministry of Ecology and Environment and National Bureau of Statistics announcement 2024 No. 12 "
           "(12 April 2024)")),
    "MEE/NBS announcement 2024 No. 12": (
        _l("Ministry of Ecology and Environment and National Bureau of Statistics announcement 2024 No. 12")),
    "MEE/NBS announcement (20 Dec 2024)": _MEE_NBS_DEC_2024,
    "MEE notice on 2023-2025 power-sector GHG reporting (Feb 2023)": (
        _l("Ministry of Ecology and Environment notice on greenhouse gas reporting by power generation "
           "enterprises, 2023–2025 (February 2023)")),
    "MEE/NBS announcement (published 2026), as reported by China Electric Power News": (
        _l("Ministry of Ecology and Environment and National Bureau of Statistics announcement (published "
           "2026), as reported by China Electric Power News")),
    "MEE/NBS announcement (published 2026)": _MEE_NBS_2026,
    ("guideline default, GB/T 32150-2015 / national industry accounting guidelines, as stated in "
     "shared/reference/worked-examples.md"): (
        _l("Guideline default value: GB/T 32150-2015 and the national industry guidelines for greenhouse gas "
           "accounting and reporting")),
    "industry accounting guidelines, as stated in shared/reference/worked-examples.md, section \"Steam\"": (
        _l("National industry guidelines for greenhouse gas accounting and reporting (steam and hot water)")),
    "stoichiometric ratio (IPCC 2006 Guidelines Vol. 3 Table 2.1)": (
        _l("Stoichiometric ratio (2006 IPCC Guidelines, Volume 3, Table 2.1)")),
    ("IPCC 2006 Guidelines Vol. 2 Ch. 2 Table 2.2 (default CH4 and N2O emission factors for stationary "
     "combustion in the energy industries, kg/TJ on a net calorific basis)"): (
        _l("2006 IPCC Guidelines, Volume 2, Chapter 2, Table 2.2 (default CH4 and N2O emission factors for "
           "stationary combustion in the energy industries, kg/TJ, net calorific basis)")),
    **{f"IPCC {name} 100-year GWP, as tabulated in shared/reference/gwp.csv": text
       for name, text in _ASSESSMENTS.items()},
    "IPCC AR6 WG1 Table 7.15": _ASSESSMENTS["AR6"],  # migration 0012's SF6 correction
    fuel_defaults.SOURCE: _l("National 24-industry guidelines for greenhouse gas accounting and reporting (2013–2015), "
                             "table of fossil fuel defaults, as transcribed by a third-party open-source "
                             "implementation; not yet checked against the guideline text"),
    **{f"IPCC {name} 100-year GWP by origin, as noted in shared/reference/gwp.csv": text
       for name, text in _ASSESSMENTS.items()},
    # Migration 0033: the seeded fuels' version 2, checked against the national standard's table
    fuel_defaults.CONFIRMED_SOURCE: _l("GB/T 32151.22-2024, Appendix C, Table C.1 (default values of common fossil "
                                       "fuel parameters), read in a public transcription that names the standard "
                                       "and the table; liquefied natural gas also in GB/T 32151.10-2023 Table C.1; "
                                       "the net calorific values of anthracite, lignite, petroleum coke and naphtha "
                                       "as in the 2006 IPCC Guidelines, Volume 2, Table 1.2"),
}

# The methods' defaults cite sector-methods.md with its source marks: by the start of the stored text.
_METHOD_CITATIONS = (
    ("MEE 2022 reporting notice", _l("Ministry of Ecology and Environment, 2022 notice on enterprise greenhouse gas "
                                     "reporting (关于做好2022年企业温室气体排放报告管理相关重点工作的通知), as quoted in "
                                     "public copies; the primary text is not yet checked")),
    ("sector-methods.md [C]", _l("Third-party implementations of the national 24-industry accounting guidelines; "
                                 "the guideline text is not yet checked")),
    ("sector-methods.md: UNCONFIRMED", _l("Reference value not yet confirmed from a guideline text")),
    ("fuel-factors.csv refinery_gas", _l("As refinery gas in the national industry guidelines' fuel table (some "
                                         "tables give 0.98)")),
)

# Notes of versions a migration published (0012) -> the note shown.
_SEEDED_NOTES = {
    ("Corrects 24,300, a typing error in the reference table the library was seeded from; calculations already "
     "made keep the version they used until they are recalculated."): (
        _l("Corrects 24,300, a typing error in the reference table the library was first loaded from; calculations "
           "already made keep the version they used until they are recalculated.")),
    # Migration 0033 (app/accounting/fuel_defaults.py)
    fuel_defaults.CONFIRMED_NOTE: _l("Checked against the national standard's table: version 1 came from a table "
                                     "that named no source, and the values that differed are corrected. "
                                     "Calculations already made keep the version they used until they are "
                                     "recalculated."),
    fuel_defaults.UNCHANGED_NOTE: _l("Checked against the national standard's table: the values of version 1 are "
                                     "confirmed unchanged."),
}


def status_code(status: str | None) -> str:
    """The vocabulary code of a stored status ("" when it has none or is a regulator's own text)."""
    status = (status or "").strip()
    if status in STATUS_LABELS:
        return status
    seeded = _SEEDED_STATUSES.get(status)
    return seeded[0] if seeded else ""


def status_text(status: str | None) -> str:
    """A stored status as the reader sees it: its label, with the seeded remark if there is one."""
    status = (status or "").strip()
    if status in STATUS_LABELS:
        return str(STATUS_LABELS[status])
    seeded = _SEEDED_STATUSES.get(status)
    if seeded is None:
        return status  # a regulator's own words
    code, remark = seeded
    return f"{STATUS_LABELS[code]} ({remark})" if remark else str(STATUS_LABELS[code])


def citation(source: str | None) -> str:
    """A stored citation as the reader sees it: the proper citation of a seeded row, anything else as written."""
    source = (source or "").strip()
    shown = _SEEDED_CITATIONS.get(source)
    if shown is None:
        shown = next((text for start, text in _METHOD_CITATIONS if source.startswith(start)), None)
    return str(shown) if shown is not None else source


def note_text(note: str | None) -> str:
    """A version's note: the translation of a note a migration wrote, anything else as written."""
    note = (note or "").strip()
    shown = _SEEDED_NOTES.get(note)
    return str(shown) if shown is not None else note
