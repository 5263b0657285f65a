"""Request bodies of the API tests: the worked-example month of the `plant` fixture."""
MONTH = "2025-06"


def example_lines(plant, gas="38"):
    s = plant["sources"]
    return [{"source_id": s["gas"].id, "quantity": gas, "unit": "10^4 Nm3"},
            {"source_id": s["diesel"].id, "quantity": "15.5", "unit": "t"},
            {"source_id": s["power"].id, "quantity": "2350.4", "unit": "MWh"},
            {"source_id": s["heat"].id, "quantity": "4200", "unit": "GJ"}]


def example_body(plant, gas="38"):
    return {"lines": example_lines(plant, gas), "production": [{"product_id": plant["product"].id, "quantity": "1000"}],
            "output_value_10k_cny": "5000"}
