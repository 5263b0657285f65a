"""The home page: what each role needs first (the enterprise's and the authority's dashboards)."""
