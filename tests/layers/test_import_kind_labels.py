"""Issue 17: every problem kind the importer writes into its report reads as words in both
languages ("catatan berkas", not "file note" in an Indonesian report)."""

from __future__ import annotations

import ast
from pathlib import Path

LAYERS = Path(__file__).resolve().parents[2] / "layers"


def _kinds() -> set[str]:
    """Problem kinds given as literals to ``add_file(status, kind, …)`` and
    ``add(row, status, kind, …)`` anywhere in layers/ (but the sample generator)."""
    kinds: set[str] = set()
    for path in LAYERS.rglob("*.py"):
        if "sample" in path.relative_to(LAYERS).parts:  # the sample's defect list, not a report
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            at = {"add_file": 1, "add": 2}.get(node.func.attr)
            if at is None or len(node.args) <= at:
                continue
            arg = node.args[at]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                kinds.add(arg.value)
    return kinds


def test_every_problem_kind_has_a_label_in_both_languages():
    import layers.importing  # noqa: F401 - registers the importer's catalogues
    from ilp_gis.i18n import has, language
    from layers.importing.report import problem_label

    kinds = _kinds()
    assert "file_note" in kinds and len(kinds) > 20  # the scan finds the importer's kinds
    assert sorted(k for k in kinds if not has(f"import.kind.{k}")) == []  # both languages
    with language("id"):
        assert problem_label("file_note") == "catatan berkas"
