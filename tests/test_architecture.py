"""The shape the design card fixes: the domain never imports the web."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = [p for p in (ROOT / "hall").rglob("*.py") if "web" not in p.relative_to(ROOT / "hall").parts]
WEB = ("flask", "flask_", "hall.web", "kiosk", "display", "tracking")
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
    for name in ("hall", "kiosk", "display", "tracking", "tests", "bench", "migrations"):
        assert (ROOT / name).is_dir(), name
    for name in ("config.py", "run.py", "requirements.txt", "README.md", "Makefile", ".ci/run"):
        assert (ROOT / name).is_file(), name
