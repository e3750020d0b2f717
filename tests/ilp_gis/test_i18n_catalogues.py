"""The message catalogues are data files: each parses, holds (id, en) pairs, is named by the
module that uses it, and every literal key passed to ``tr`` exists in some catalogue."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from ilp_gis import i18n

REPO = Path(__file__).resolve().parents[2]
ROOMS = ["ilp_gis", "layers", "reports", "ui"]


def _catalogue_files() -> list[Path]:
    return sorted(p for room in ROOMS for p in (REPO / room / "messages").glob("*.toml"))


def _named_catalogues() -> set[tuple[str, str]]:
    named = set()
    for room in ROOMS:
        for path in (REPO / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None)
                        == "register_catalog"):
                    named.add(tuple(a.value for a in node.args))
    return named


def test_every_catalogue_parses_into_pairs_of_text():
    files = _catalogue_files()
    assert len(files) > 30
    for path in files:
        data = tomllib.loads(path.read_text("utf-8"))
        assert data, path
        for key, pair in data.items():
            assert isinstance(pair, list) and len(pair) == 2, (path.name, key)
            assert all(isinstance(t, str) for t in pair), (path.name, key)
            # A text may be empty on purpose (a unit-less figure), but then in both languages.
            assert bool(pair[0].strip()) == bool(pair[1].strip()), (path.name, key)


def test_catalogues_and_the_modules_naming_them_match():
    on_disk = {(p.parent.parent.name, p.stem) for p in _catalogue_files()}
    assert _named_catalogues() == on_disk


def test_a_key_lives_in_one_catalogue_only():
    seen: dict[str, str] = {}
    clashes = []
    for path in _catalogue_files():
        for key in tomllib.loads(path.read_text("utf-8")):
            if key in seen:
                clashes.append((key, seen[key], path.name))
            seen[key] = path.name
    assert clashes == []


def test_every_literal_key_passed_to_tr_exists():
    keys = set()
    for path in _catalogue_files():
        keys |= set(tomllib.loads(path.read_text("utf-8")))
    unknown = []
    for room in ROOMS:
        for path in (REPO / room).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr"
                        and node.args and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)
                        and re.fullmatch(r"[a-z_]+(\.[a-z0-9_]+)+", node.args[0].value)):
                    if node.args[0].value not in keys:
                        unknown.append(f"{path.relative_to(REPO)}:{node.lineno} "
                                       f"{node.args[0].value}")
    assert unknown == []


def test_named_catalogues_are_read_on_first_lookup():
    i18n.register_catalog("ilp_gis", "i18n")
    assert i18n.tr("common.missing", lang="id") == "tidak ada data"
    assert i18n.tr("common.missing", lang="en") == "no data"


def test_every_labelled_code_has_its_label_in_both_languages():
    from ilp_gis import model, scenario  # noqa: F401 - registers every LabelledEnum

    classes = list(model._LABEL_PREFIXES)
    assert model.FacilityType in classes and scenario.ActionKind in classes
    for cls in classes:
        for member in cls:
            key = f"{model._LABEL_PREFIXES[cls]}.{member.value}"
            assert i18n.has(key), key
            assert member.label == i18n.tr(key)
