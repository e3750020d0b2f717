"""The house rules: four rooms with imports pointing down (ui → reports → layers → ilp_gis, the
import-linter contracts in pyproject.toml), Qt only in ui/, modules of one job that say it,
and a lint-clean tree."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ROOMS = ["ilp_gis", "layers", "reports", "ui"]  # lower index = lower room
# Files that may stay longer than MAX_LINES, each with its reason.  Keep this list short.
LONG_FILES_ALLOWED: dict[str, str] = {
}
MAX_LINES = 800


def _lint_imports(*extra: str) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (pip install -e .[dev])")
    return subprocess.run([str(exe), "--no-cache", *extra], cwd=REPO, capture_output=True,
                          text=True)


def test_import_contracts_hold():
    """The import-linter contracts in pyproject.toml: four rooms pointing down, Qt only in ui/,
    no cycles between the modules of a room."""
    out = _lint_imports()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout


def test_import_contracts_catch_a_violation():
    bad = REPO / "ilp_gis" / "_arch_probe_tmp.py"
    bad.write_text("from ui import cli\nimport PySide6\n", "utf-8")
    try:
        out = _lint_imports()
    finally:
        bad.unlink()
    assert out.returncode != 0
    assert "ilp_gis._arch_probe_tmp -> ui" in out.stdout
    assert "ilp_gis._arch_probe_tmp -> PySide6" in out.stdout


def _python_files():
    for room in ROOMS + ["tests", "bench"]:
        yield from sorted((REPO / room).rglob("*.py"))


def test_no_file_grows_past_the_limit():
    """A module holds one job; past MAX_LINES it is a warehouse and is split (or allow-listed
    above with its reason)."""
    long = {}
    for path in _python_files():
        rel = path.relative_to(REPO).as_posix()
        n = len(path.read_text("utf-8").splitlines())
        if n > MAX_LINES and rel not in LONG_FILES_ALLOWED:
            long[rel] = n
    assert long == {}
    stale = [rel for rel in LONG_FILES_ALLOWED
             if not (REPO / rel).exists()
             or len((REPO / rel).read_text("utf-8").splitlines()) <= MAX_LINES]
    assert stale == [], "allow-listed files that are gone or short now: remove them from the list"


def test_every_module_says_its_job():
    """Each module of the four rooms opens with a docstring saying what it is for."""
    missing = [path.relative_to(REPO).as_posix()
               for room in ROOMS for path in sorted((REPO / room).rglob("*.py"))
               if not ast.get_docstring(ast.parse(path.read_text("utf-8")))]
    assert missing == []


def test_building_the_command_line_imports_no_qt():
    """Every sub-command module is imported for --help; none may pull in Qt at import time."""
    code = (
        "import sys, ui.cli as c\n"
        "c.build_parser()\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "assert not qt, qt\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_ruff_lint_is_clean():
    """The project lints clean with the configuration in pyproject.toml."""
    import shutil

    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    out = subprocess.run([ruff, "check", "--quiet", str(REPO)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
