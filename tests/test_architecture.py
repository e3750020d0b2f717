"""The four rooms, imports pointing down: ui → reports → layers → ilp_gis; Qt only in ui/."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ROOMS = ["ilp_gis", "layers", "reports", "ui"]  # lower index = lower room
QT_MODULES = {"PySide6", "PyQt5", "PyQt6", "shiboken6", "pytestqt"}
# What each room may NOT import (besides rooms above it).
FORBIDDEN_EXTRA = {
    "ilp_gis": QT_MODULES | {"reportlab", "folium", "openpyxl", "pyogrio"},
    "layers": QT_MODULES | {"reportlab", "folium"},
    "reports": QT_MODULES,
    "ui": set(),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _violations() -> list[str]:
    problems = []
    for rank, room in enumerate(ROOMS):
        for path in sorted((REPO / room).rglob("*.py")):
            for lineno, module in _imports(path):
                top = module.split(".")[0]
                if top in ROOMS and ROOMS.index(top) > rank:
                    problems.append(f"{path.relative_to(REPO)}:{lineno} imports {module} "
                                    f"({room} must not import the room above it: {top})")
                if top in FORBIDDEN_EXTRA[room]:
                    problems.append(f"{path.relative_to(REPO)}:{lineno} imports {module} "
                                    f"(not allowed in {room}/)")
    return problems


def test_rooms_import_only_downwards():
    assert _violations() == []


def test_checker_catches_a_violation(tmp_path, monkeypatch):
    bad = REPO / "ilp_gis" / "_arch_probe_tmp.py"
    bad.write_text("from ui import cli\nimport PySide6\n", "utf-8")
    try:
        problems = _violations()
    finally:
        bad.unlink()
    assert any("_arch_probe_tmp.py:1 imports ui " in p for p in problems)
    assert any("_arch_probe_tmp.py:2 imports PySide6" in p for p in problems)


def test_building_the_command_line_imports_no_qt():
    """Every sub-command module is imported for --help; none may pull in Qt at import time."""
    import subprocess
    import sys

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
    import subprocess
    import sys

    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        import pytest

        pytest.skip("ruff is not installed")
    out = subprocess.run([ruff, "check", "--quiet", str(REPO)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
