"""The packages of app/ depend on each other without a cycle, so each can be read (and changed) from the bottom up.

The graph is built from the source, module-level and function-level imports alike (an import hidden in a function
is still a dependency). The modules at the root of app/ (extensions, tenancy, security, i18n, models) are the
framework beneath every package and are not nodes. Run `python -m tests.test_package_graph` to print the graph.
"""
import ast
import pathlib
from collections import defaultdict

APP = pathlib.Path(__file__).resolve().parent.parent / "app"

# (from, to): why this one dependency against the grain must stay. Keep it short; every entry needs a reason.
ALLOWED = {}


def packages() -> list[str]:
    return sorted(p.name for p in APP.iterdir() if (p / "__init__.py").is_file())


def _imported(node: ast.AST, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:  # relative: resolve against the importing module's package
            base = module.split(".")[: -node.level]
            name = ".".join(base + ([node.module] if node.module else []))
        else:
            name = node.module or ""
        if name == "app":  # from app import accounts
            return [f"app.{alias.name}" for alias in node.names]
        return [name]
    return []


def edges() -> dict[str, dict[str, set[str]]]:
    """{package: {package it imports: {files that do}}}."""
    names = set(packages())
    graph: dict[str, dict[str, set[str]]] = {name: defaultdict(set) for name in names}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP).with_suffix("").parts
        if len(parts) < 2 or parts[0] not in names:
            continue
        module = ".".join(("app", *parts))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(node, module):
                pieces = target.split(".")
                if len(pieces) > 1 and pieces[0] == "app" and pieces[1] in names and pieces[1] != parts[0]:
                    graph[parts[0]][pieces[1]].add(str(path.relative_to(APP)))
    return graph


def cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one package (Tarjan), ignoring the allowed edges."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if (v, w) in ALLOWED:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layers(graph) -> list[list[str]]:
    """Packages by layer: each imports only packages of lower layers."""
    placed: dict[str, int] = {}
    remaining = set(graph)
    while remaining:
        ready = sorted(v for v in remaining if all(w in placed for w in graph[v] if (v, w) not in ALLOWED))
        if not ready:
            return [*_group(placed), sorted(remaining)]
        for v in ready:
            placed[v] = 1 + max((placed[w] for w in graph[v] if w in placed), default=-1)
        remaining -= set(ready)
    return _group(placed)


def _group(placed):
    out = defaultdict(list)
    for name, layer in placed.items():
        out[layer].append(name)
    return [sorted(out[k]) for k in sorted(out)]


def describe(graph) -> str:
    lines = [f"{name} -> {', '.join(sorted(graph[name])) or '(nothing)'}" for name in sorted(graph)]
    lines.append("layers, bottom up: " + " | ".join(" ".join(layer) for layer in layers(graph)))
    return "\n".join(lines)


def test_the_package_graph_has_no_cycle():
    graph = edges()
    found = cycles(graph)
    detail = [f"{a} -> {b}: {', '.join(sorted(graph[a][b]))}" for comp in found for a in comp for b in graph[a]
              if b in comp and (a, b) not in ALLOWED]
    assert found == [], "packages import each other in a circle:\n" + "\n".join(detail)


def test_core_is_a_leaf():
    assert dict(edges()["core"]) == {}


def test_every_allowed_edge_exists_and_says_why():
    graph = edges()
    for (a, b), reason in ALLOWED.items():
        assert b in graph[a], f"{a} -> {b} is allowed but no longer imported: remove it from ALLOWED"
        assert len(reason) > 20


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b": {"x"}}, "b": {"c": {"y"}}, "c": {"a": {"z"}}, "d": {}}) == [["a", "b", "c"]]


if __name__ == "__main__":
    print(describe(edges()))
