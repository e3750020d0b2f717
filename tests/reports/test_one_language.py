"""One language (issue 17): every output made in Bahasa Indonesia — plan PDF, wall map, XLSX
tables, web map, import report — carries no catalogue key left untranslated and none of the
English words that only an untranslated text would bring."""

from __future__ import annotations

import re
import tomllib
import zipfile
from html import unescape
from pathlib import Path

import pytest

from ilp_gis.analysis import analyze
from layers.project_file import open_project
from reports.pdf import build_report
from reports.webmap import export_webmap
from reports.xlsx_tables import write_tables
from tests.conftest import REPO
from tests.reports.helpers import pdf_text

ENGLISH = ("without", "imported", "skipped", "doubtful", "Planning assumption", "Tool default",
           "generator:", "fictional:", "facilities:", "Source:", "Date:", "Legend",
           "Cancel", "parent name", "not found", "No data", "no data", "True", "False", "None",
           " nan ", "NaN")


def _keys() -> set[str]:
    keys: set[str] = set()
    for path in REPO.glob("*/messages/*.toml"):
        keys |= set(tomllib.loads(path.read_text("utf-8")))
    return keys


def _problems(text: str, keys: set[str]) -> list[str]:
    found = [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w.strip())}(?![\w-])", text)]
    found += sorted({m for m in re.findall(r"\b[a-z_]+(?:\.[a-z_0-9]+)+\b", text) if m in keys})
    return found


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    from tests.conftest import SAMPLE_PROJECT

    if not SAMPLE_PROJECT.exists():
        pytest.skip("sample_data/kabupaten_contoh.gpkg not generated yet")
    out = tmp_path_factory.mktemp("id")
    project = open_project(SAMPLE_PROJECT)
    result = analyze(project)
    texts = {}
    for kind in ("plan", "wallmap"):
        path = build_report(project, result, out / f"{kind}.pdf", kind=kind, lang="id")
        texts[kind] = pdf_text(path)
    book = write_tables(project, result, out / "t.xlsx", lang="id")
    with zipfile.ZipFile(book) as z:
        xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("xl/") and n.endswith(".xml"))
    texts["xlsx"] = unescape(" ".join(re.findall(r"<t[^>]*>([^<]*)</t>", xml)))
    html = Path(export_webmap(project, result, out / "w.html", lang="id")).read_text("utf-8")
    visible = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    texts["webmap"] = unescape(re.sub(r"<[^>]+>", " ", visible))
    return texts


@pytest.mark.parametrize("name", ["plan", "wallmap", "xlsx", "webmap"])
def test_indonesian_output_has_no_english_leak(outputs, name):
    assert _problems(outputs[name], _keys()) == []


def test_import_report_in_indonesian(tmp_path):
    from ilp_gis.project import Project
    from layers.importing import import_files
    from tests.layers import import_fixtures as fx

    path = tmp_path / "f.csv"
    path.write_text(fx.csv_text(), "utf-8")
    rep = import_files(Project(), facilities=[(None, path)], lang="id")
    text = rep.summary() + "\n" + rep.write(tmp_path / "r.csv").read_text("utf-8-sig")
    # the machine codes of the last two columns are meant for tools; the rest is Indonesian
    people = "\n".join(",".join(line.split(",")[:-2]) for line in text.splitlines())
    assert _problems(people, _keys()) == []
