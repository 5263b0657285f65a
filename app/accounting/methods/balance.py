"""Carbon mass balance (steel processes, chemical feedstocks, coking, calcining; sector-methods.md §4, §5) and
carbonates with their purity."""
from app.accounting.methods.base import HUNDRED, SUBSTITUTED, TWELVE, ZERO, Masses, MethodError, number


def _items(inp, name: str, output: bool):
    """[{"name": …, "quantity": …, "carbon_pct": … | "carbon_content": …}] → Σ carbon (t), traced item by item.

    carbon_pct is % by mass (t C per 100 t); carbon_content is t C per unit of the quantity (e.g. per 10⁴ Nm³ of
    gas). An output without a measured carbon content counts zero (a deduction is never guessed upward)."""
    raw = inp.raw(name)
    if raw is None:
        return ZERO
    if not isinstance(raw, (list, tuple)):
        raise MethodError(f"{name} must be a list of {{name, quantity, carbon_pct}} items")
    total = ZERO
    traced = []
    for i, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise MethodError(f"{name} item {i} must be {{name, quantity, carbon_pct}}")
        label = str(item.get("name") or i)
        q = number(item.get("quantity"), f"{name} {label} quantity")
        entry = {"name": label, "quantity": str(q), "unit": item.get("unit") or "t"}
        if item.get("carbon_pct") is not None:
            carbon = number(item["carbon_pct"], f"{name} {label} carbon_pct") / HUNDRED
            if carbon > 1:
                raise MethodError(f"{name} {label}: carbon_pct above 100 %")
            entry["carbon_pct"] = str(item["carbon_pct"])
        elif item.get("carbon_content") is not None:
            carbon = number(item["carbon_content"], f"{name} {label} carbon_content")
            entry["carbon_content"] = str(carbon)
        elif output:
            carbon = ZERO
            entry.update(carbon_pct="0", provenance=SUBSTITUTED,
                         reason="no measured carbon content: a deduction counts zero")
            inp.substituted.append(f"{name}:{label}")
        else:
            raise MethodError(f"{name} {label} needs its measured carbon (carbon_pct or carbon_content)")
        entry.setdefault("provenance", "measured")
        traced.append(entry)
        total += q * carbon
    inp.traced[name] = {"value": traced, "unit": "", "provenance": "measured"}
    return total


def carbon_balance(inp) -> Masses:
    """E = (Σ M_in × C_in − Σ M_out × C_out) × 44/12; products, by-product gas, dust and slag are outputs."""
    carbon_in = _items(inp, "inputs", output=False)
    carbon_out = _items(inp, "outputs", output=True)
    if carbon_in == 0:
        raise MethodError("carbon_balance needs its inputs with their carbon")
    if carbon_out > carbon_in:
        raise MethodError(f"carbon out ({carbon_out} t) exceeds carbon in ({carbon_in} t): check the contents")
    return Masses(co2_fossil_t=(carbon_in - carbon_out) * 44 / TWELVE)
