"""Product groups: which enterprises compare per unit of product, and how a several-product month is shared.

Plain data in, plain data out (no Flask, no database); `services` loads the rows.

- A product **maps** to a national product benchmark when the register says so (`Product.benchmark_code`) and its
  unit converts to the benchmark's unit of product (MWh, GJ, t). Its output is then counted in that unit.
- An enterprise's **product group** is the set of benchmark products its mapped products supply ("electricity
  supplied", "heat supplied", "cement clinker" ...): a power-only plant, a combined heat-and-power plant and a
  heat-only plant are three groups. Without a mapped product it is its main product (the one marked main, else
  the first) by name and unit, as before.
- The group's **reference product** is the first of its benchmark products in the benchmark table's order
  (electricity before heat), so every member of a group states its intensity in the same unit.
- **Sharing a month's emissions** between benchmark products: the CSV names no allocation method, so the
  national ETS's own yardstick is used: each product's share is its benchmark emissions (benchmark × output)
  over the sum for all the enterprise's mapped products, as the allowances of a CHP plant are summed. The
  reference product's intensity is its share of tCO2e over its output. With one benchmark product the share is
  the whole month. Without a mapped product the whole month is per unit of the main product.
- The enterprise's **national benchmark** for the reference product is Σ benchmark × output / Σ output over its
  products supplying it (its own unit class: coal above 300 MW, gas ...), over the months that count.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.accounting.units import UnitError, convert

from .stats import Member

# The benchmark table's products and unit classes are msgids (app.accounting.benchmark_texts), so the pages show
# them in the reader's language.


@dataclass(frozen=True)
class National:
    """One product benchmark as the reference table gives it (its latest version)."""

    code: str
    product: str
    unit_class: str
    value: Decimal  # tCO2 per unit of product
    unit: str  # "tCO2/MWh"
    period: str
    status: str
    source: str

    @property
    def product_unit(self) -> str:
        return self.unit.split("/", 1)[-1].strip()


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    name_en: str | None
    unit: str
    benchmark_code: str | None


@dataclass(frozen=True)
class Mapped:
    product_id: int
    national: National
    to_benchmark_unit: Decimal  # multiplier from the product's unit to the benchmark's


@dataclass(frozen=True)
class Group:
    """An enterprise's product group (see the module notes)."""

    key: tuple
    products: tuple[str, ...]  # benchmark product names, in the table's order; () when by main product
    name: str  # the reference product: benchmark product name, else the main product's name
    name_en: str | None
    unit: str  # the unit intensities are per
    main_product_id: int | None  # by main product: its id
    mapped: tuple[Mapped, ...] = ()

    @property
    def by_benchmark(self) -> bool:
        return bool(self.products)


def mapping(product: ProductRow, nationals: dict[str, National]) -> Mapped | None:
    national = nationals.get(product.benchmark_code or "")
    if national is None:
        return None
    try:
        factor = convert(Decimal(1), product.unit, national.product_unit)
    except UnitError:  # a product in units the benchmark cannot be read in is compared by name, not benchmark
        return None
    return Mapped(product.id, national, factor)


def group_of(products: list[ProductRow], nationals: dict[str, National], order: list[str]) -> Group | None:
    """The product group of an enterprise whose products are `products`, main product first.

    `order`: the benchmark products in the table's order."""
    mapped = [m for m in (mapping(p, nationals) for p in products) if m is not None]
    if mapped:
        names = tuple(sorted({m.national.product for m in mapped}, key=order.index))
        return Group(("benchmark", names), names, names[0], None, mapped_unit(mapped, names[0]), None, tuple(mapped))
    if not products:
        return None
    main = products[0]
    return Group(("product", main.name.strip().casefold(), main.unit.strip().casefold()), (), main.name,
                 main.name_en, main.unit, main.id)


def mapped_unit(mapped: list[Mapped], product: str) -> str:
    return next(m.national.product_unit for m in mapped if m.national.product == product)


@dataclass(frozen=True)
class Share:
    """One month's reference product: its share of the tCO2e, its output, and its benchmark emissions."""

    member: Member
    benchmark_tco2: Decimal | None  # Σ benchmark × output of the reference product; None by main product


def share(group: Group, tco2e: Decimal | None, production: dict[int, Decimal]) -> Share | None:
    """The month's reference-product share, or None when the month has no tCO2e or no output of it."""
    if tco2e is None:
        return None
    if not group.by_benchmark:
        quantity = production.get(group.main_product_id)
        return Share(Member(tco2e, quantity), None) if quantity is not None and quantity > 0 else None
    output, bench, total_bench = Decimal(0), Decimal(0), Decimal(0)
    for m in group.mapped:
        quantity = production.get(m.product_id)
        if quantity is None or quantity <= 0:
            continue
        quantity *= m.to_benchmark_unit
        total_bench += m.national.value * quantity
        if m.national.product == group.name:
            output += quantity
            bench += m.national.value * quantity
    if output <= 0 or total_bench <= 0:
        return None
    return Share(Member(tco2e * bench / total_bench, output), bench)
