"""Apps meet through services: maskinporten uses no other app's views, and virksomheter (which
maskinporten builds on) does not import maskinporten back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
    return found


def test_maskinporten_imports_no_views_of_another_app():
    assert not {name for name in imported_modules("maskinporten") if name.startswith("idporten.views")}


def test_virksomheter_does_not_import_maskinporten():
    assert not {name for name in imported_modules("virksomheter") if name.split(".")[0] == "maskinporten"}
