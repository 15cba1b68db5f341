"""The shape the design card fixes: the domain never imports the web; no import circle in
``hall/`` (domain and web); each screen is a package that imports no other screen."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = [p for p in (ROOT / "hall").rglob("*.py") if "web" not in p.relative_to(ROOT / "hall").parts]
WEB = ("flask", "flask_", "hall.web", "kiosk", "display", "tracking", "booking", "ask",
       "results", "qa", "apply")
# Password hashing is a pure function that happens to live in Werkzeug's package.
ALLOWED = {"werkzeug.security"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_domain_modules_import_nothing_of_the_web():
    assert len(DOMAIN) > 10
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path)
                                             if m.startswith(WEB) or
                                             (m.startswith("werkzeug") and m not in ALLOWED))
        for path in DOMAIN
    }
    assert {p: m for p, m in offenders.items() if m} == {}


def test_the_top_level_layout_is_in_place():
    for name in ("hall", "kiosk", "display", "tracking", "booking", "tests", "bench", "migrations"):
        assert (ROOT / name).is_dir(), name
    for name in ("config.py", "run.py", "requirements.txt", "README.md", "Makefile", ".ci/run"):
        assert (ROOT / name).is_file(), name


# -- the import graph ---------------------------------------------------------------------------

PACKAGES = ("hall", "kiosk", "display", "tracking", "booking", "ask", "results", "qa",
            "apply")
# A screen: its routes, forms, templates and scripts in one folder, sharing only the
# infrastructure of hall/web (auth, problems, i18n, templating…) and the domain.
SCREENS = ("hall.web.console", "hall.web.division", "hall.web.manager", "hall.web.admin",
           "hall.web.cli", "kiosk", "display", "tracking", "booking", "ask",
           "results", "qa", "apply")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for top in PACKAGES for p in (ROOT / top).rglob("*.py")}


def _imports_of(name: str) -> set[str]:
    """The project's modules ``name`` imports, at the top or inside a function (a lazy import
    is still a dependency); ``from package import module`` counts as the module itself, and
    imports only for type checkers do not count."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in [n for n in ast.walk(tree)
                  if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)]:
        block.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                found.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in MODULES
                          else target)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports_of(name) for name in MODULES}


def _circles(names: set[str]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each an import circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(name: str) -> None:
        index[name] = low[name] = len(index)
        stack.append(name)
        for other in GRAPH[name] & names:
            if other not in index:
                visit(other)
                low[name] = min(low[name], low[other])
            elif other in stack:
                low[name] = min(low[name], index[other])
        if low[name] == index[name]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == name:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for name in sorted(names):
        if name not in index:
            visit(name)
    return circles


def test_there_is_no_import_circle_in_the_domain_or_the_web():
    hall = {m for m in MODULES if m == "hall" or m.startswith("hall.")}
    assert len(hall) > 60
    assert _circles(hall) == []


def _screen(module: str) -> str | None:
    return next((s for s in SCREENS if module == s or module.startswith(s + ".")), None)


def test_no_screen_imports_another():
    crossings = sorted(f"{module} -> {other}" for module, imported in GRAPH.items()
                       for other in imported
                       if _screen(module) and _screen(other) not in (None, _screen(module)))
    assert crossings == []


def test_each_staff_screen_keeps_its_templates_and_scripts_in_its_folder():
    web = ROOT / "hall" / "web"
    for screen, kept in {"console": ["templates/console", "static/console.js"],
                         "division": ["templates/division", "static/division.js"],
                         "manager": ["templates/dashboard", "templates/reports",
                                     "static/dashboard.js"],
                         "admin": ["templates/admin"]}.items():
        for path in kept:
            assert (web / screen / path).exists(), f"hall/web/{screen}/{path}"
    assert sorted(p.name for p in (web / "templates").iterdir() if p.is_dir()) == [
        "auth", "devices", "errors", "guide"]  # the shared ones only


def test_the_import_graph_sees_the_imports():
    """The graph the tests above read is not empty by mistake."""
    assert "hall.queue" in GRAPH["hall.cases"]
    assert "hall.web.console.routes" in GRAPH["hall.web.console"]
    assert "hall.web.api.common" in GRAPH["hall.web.api.tickets"]
