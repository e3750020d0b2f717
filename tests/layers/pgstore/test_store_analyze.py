"""``ilp-gis analyze --db DATABASE [--kabupaten PP.KK] --out DIR``: the analysis of a project
read from the shared store, end to end through the command line, writes the same result files
as the analysis of its GeoPackage, leaves the store as it was, and refuses unclear sources."""

from __future__ import annotations

import json
import shutil

import psycopg

from layers.pgstore.connection import connect
from layers.pgstore.push import push_project
from layers.project_file import open_project
from ui.cli import main


def _files(folder) -> dict[str, object]:
    out = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".json":
            data = json.loads(path.read_text("utf-8"))
            data.pop("timings_s", None)  # the run's own timings differ between any two runs
            out[path.name] = data
        elif path.suffix == ".csv":
            out[path.name] = path.read_bytes()
    return out


def _audit_rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM ilp_audit").fetchone()[0]


def test_analysis_from_the_store_writes_what_the_geopackage_gives(store_url, sample_project_path,
                                                                  tmp_path, capsys):
    copy = shutil.copy(sample_project_path, tmp_path / "proyek.gpkg")
    with connect(store_url) as conn:
        push_project(conn, open_project(copy))
    audit = _audit_rows(store_url)
    assert main(["analyze", str(copy), "--out", str(tmp_path / "berkas"), "--no-save"]) == 0
    assert main(["analyze", "--db", store_url, "--out", str(tmp_path / "basis")]) == 0
    out = capsys.readouterr().out
    assert "basis data tidak diubah" in out
    from_file, from_store = _files(tmp_path / "berkas"), _files(tmp_path / "basis")
    assert {"summary.json", "gaps.csv"} <= set(from_file)
    assert from_store == from_file
    assert _audit_rows(store_url) == audit  # nothing written into the store


def test_analysis_of_one_kabupaten_from_the_store(store_url, sample_project_path, tmp_path):
    project = open_project(sample_project_path)
    code = str(project.layers["kabupaten"]["code"].iat[0])
    with connect(store_url) as conn:
        push_project(conn, project)
    assert main(["analyze", "--db", store_url, "--kabupaten", code,
                 "--out", str(tmp_path / "kab")]) == 0
    summary = json.loads((tmp_path / "kab" / "summary.json").read_text("utf-8"))
    ours = project.desa["code"].astype(str).str.startswith(code + ".")
    assert summary["desa_total"] == int(ours.sum()) > 0


def test_an_unclear_source_is_refused_and_nothing_written(store_url, sample_project_path,
                                                         tmp_path, capsys):
    out = tmp_path / "hasil"
    assert main(["analyze", "--out", str(out)]) == 1
    assert "--db" in capsys.readouterr().err
    assert main(["analyze", str(sample_project_path), "--db", store_url,
                 "--out", str(out)]) == 1
    assert "tidak keduanya" in capsys.readouterr().err
    assert main(["analyze", "--db", store_url]) == 1
    assert "--out" in capsys.readouterr().err
    assert main(["analyze", str(sample_project_path), "--kabupaten", "35.07",
                 "--out", str(out), "--no-save"]) == 1
    assert "--kabupaten" in capsys.readouterr().err
    assert main(["analyze", "--db", store_url, "--out", str(out)]) == 1  # an empty store
    assert "belum berisi proyek" in capsys.readouterr().err
    assert not out.exists()
