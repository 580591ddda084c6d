"""The import contracts of `make lint` (pyproject.toml, [tool.importlinter]) hold on this tree and
bite: a copy of the apps with one import that breaks an arrow of ARCHITECTURE.md fails, naming the
contract and the import."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
    "--no-cache",
    "--no-logo",
]


def _root_packages() -> list[str]:
    config = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["root_packages"]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        LINT_IMPORTS, cwd=cwd, env={"PYTHONPATH": str(cwd)}, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def tree(tmp_path):
    """The apps' Python files and pyproject.toml, copied."""
    for package in _root_packages():
        shutil.copytree(
            BASE_DIR / package,
            tmp_path / package,
            ignore=lambda folder, names: (
                [name for name in names if not name.endswith(".py") and not (Path(folder) / name).is_dir()]
                + ["__pycache__"]
            ),
        )
    shutil.copy(BASE_DIR / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_contracts_hold_on_this_tree():
    result = lint_imports(BASE_DIR)
    assert result.returncode == 0, result.stdout + result.stderr
    config = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        assert f"{contract['name']} KEPT" in " ".join(result.stdout.split())


def test_the_unchanged_copy_passes(tree):
    result = lint_imports(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "source", "contracts"),
    [
        # The population register is at the bottom: it calls no login service.
        (
            "folkeregister/probe.py",
            "from idporten import services\n",
            ["Who calls whom: nothing calls upward"],
        ),
        # ID-porten knows the eIDs only through its registry.
        (
            "idporten/probe.py",
            "from minid import session\n",
            [
                "Who calls whom: nothing calls upward",
                "ID-porten reaches the eIDs (minid, smartkort) only through idporten.eid, which they fill in",
            ],
        ),
        # No app imports another app's views, and the mailbox logs in through the public module alone.
        (
            "postkasse/probe.py",
            "from idporten.views import pages\n",
            [
                "No app imports idporten's views",
                "Felles' own services log in through ID-porten's one public module (idporten.first_party)",
            ],
        ),
        (
            "postkasse/probe.py",
            "from idporten.services import first_party\n",
            ["Felles' own services log in through ID-porten's one public module (idporten.first_party)"],
        ),
        # The eIDs register themselves through idporten.eid and use nothing else of ID-porten.
        (
            "smartkort/probe.py",
            "from idporten.models import Client\n",
            ["The eIDs use only ID-porten's registry module (idporten.eid)"],
        ),
        ("minid/probe.py", "from smartkort import views\n", ["No app imports smartkort's views"]),
        # The integrasjonspunkt asks postkasse what a letter would get, never the registers themselves.
        (
            "eformidling/probe.py",
            "from kontaktregister import services\n",
            ["The integrasjonspunkt (eformidling) reaches the registers only through postkasse's services"],
        ),
    ],
)
def test_an_import_against_the_map_fails_and_names_the_contract(tree, module, source, contracts):
    (tree / module).write_text(source)
    result = lint_imports(tree)
    assert result.returncode == 1, result.stdout + result.stderr
    output = " ".join(result.stdout.split())
    for name in contracts:
        assert f"{name} BROKEN" in output, output
    importer = module.removesuffix(".py").replace("/", ".")
    assert importer in output
