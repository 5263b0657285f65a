"""Nitric and adipic acid N2O with abatement (sector-methods.md §4): N2O = AD × EF × (1 − η × μ)."""
from app.accounting.methods.base import Masses, MethodError

NITRIC_PROCESSES = ("high_pressure", "medium_pressure", "atmospheric", "dual_pressure", "combined", "low_pressure")


def _abated(inp, ef):
    eta = inp.value("removal_efficiency", percent=True) if inp.has("removal_efficiency") else None
    if eta is None and inp.has("abatement_use"):
        eta = inp.value("removal_efficiency", default="nitric_acid.nscr_efficiency")
    mu = inp.value("abatement_use", percent=True) if inp.has("abatement_use") else None
    if eta is not None and mu is None:
        raise MethodError("removal_efficiency needs abatement_use (abatement hours / production hours, %)")
    if eta is None:
        eta = mu = 0
    if eta > 1 or mu > 1:
        raise MethodError("removal_efficiency and abatement_use are at most 100 %")
    return Masses(n2o_t=inp.quantity * ef * (1 - eta * mu))


def nitric_acid(inp) -> Masses:
    process = inp.raw("process")
    if inp.has("ef"):
        ef = inp.value("ef")
    else:
        if process not in NITRIC_PROCESSES:
            raise MethodError(f"nitric_acid needs its process ({', '.join(NITRIC_PROCESSES)}) or a measured ef")
        inp.note("process", process)
        ef = inp.value("ef", default=f"nitric_acid.ef_{process}")
    return _abated(inp, ef)


def adipic_acid(inp) -> Masses:
    return _abated(inp, inp.value("ef", default="adipic_acid.ef"))
