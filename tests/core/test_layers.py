"""Imports run one way: config → core → grids → petitions → deliberation,
volunteers → stats. A lower layer never imports a higher one (not even inside
a function), so each app can be read, tested and changed from the bottom up.
``config`` (the composition root: settings, urls, Celery app) and the
development-only ``sampledata`` may import anything."""

import ast
from pathlib import Path

from django.conf import settings

#: The layer of each app; an app may import apps of its own layer or below,
#: except its siblings (deliberation and volunteers do not know each other).
LAYERS = {
    "core": 0,
    "accounts": 0,
    "grids": 1,
    "petitions": 2,
    "deliberation": 3,
    "volunteers": 3,
    "stats": 4,
}
ROOT = Path(settings.BASE_DIR)


def _imported_apps(path: Path) -> set[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                found.add((top, node.lineno))
    return found


def _violations() -> list[str]:
    found = []
    for app, layer in LAYERS.items():
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for imported, line in _imported_apps(path):
                other = LAYERS[imported]
                upward = other > layer or (other == layer and imported != app)
                same_base = {app, imported} <= {"core", "accounts"}
                if upward and not same_base:
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return sorted(found)


def test_imports_run_one_way():
    """No app imports an app of a higher layer (or a sibling)."""
    assert _violations() == []


def test_the_layer_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The check is not blind: an import of grids from core is found."""
    module = tmp_path / "core" / "probe.py"
    module.parent.mkdir()
    module.write_text("def f():\n    from grids.models import Role\n")
    assert _imported_apps(module) == {("grids", 2)}
