"""Imports run one way: notify and analytics may use episodes, guests and podcast; episodes
guests and podcast; guests only podcast; podcast no app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The root URLconf and settings assemble the apps; podcast's other modules serve them all.
COMPOSITION = {"podcast/urls.py", "podcast/settings.py"}
FORBIDDEN = {
    "episodes": {"notify", "analytics"},
    "guests": {"episodes", "notify", "analytics"},
    "podcast": {"episodes", "guests", "notify", "analytics"},
}


def imported_apps(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_only_what_lies_below_it(app):
    found = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in COMPOSITION
    }
    assert {path: apps for path, apps in found.items() if apps} == {}
