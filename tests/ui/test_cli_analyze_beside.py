"""``ilp-gis analyze`` with its results stored by a second process (a large project) writes the
same output files and stores the same tables as with the store in process; an output that
cannot be written leaves the project as it was and the error is the usual clear message."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

import layers.project_file as project_file
from tests.layers.test_store_beside import _file_content
from ui.cli import main

FILES = ["summary.json", "gaps.csv", "priority.csv", "desa_coverage.gpkg", "network.graphml"]


def _analyze(sample_project_path, folder, monkeypatch, *, child: bool):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0 if child else 10 ** 12)
    folder.mkdir()
    path = folder / "p.gpkg"
    shutil.copyfile(sample_project_path, path)
    assert main(["analyze", str(path), "--out", str(folder / "hasil")]) == 0
    return path


def test_the_command_stores_the_same_results_beside_its_outputs(sample_project_path, tmp_path,
                                                                 monkeypatch):
    a = _analyze(sample_project_path, tmp_path / "a", monkeypatch, child=False)
    b = _analyze(sample_project_path, tmp_path / "b", monkeypatch, child=True)
    x, y = _file_content(a), _file_content(b)
    assert x == y and any(n.startswith("result_gaps") for n in x)
    for name in FILES[1:]:
        if name.endswith(".gpkg"):
            continue  # its timestamps differ; read back by the output tests
        assert (a.parent / "hasil" / name).read_bytes() == (b.parent / "hasil" / name).read_bytes()


def test_an_output_that_cannot_be_written_stores_nothing(sample_project_path, tmp_path,
                                                         monkeypatch, capsys):
    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    path = tmp_path / "p.gpkg"
    shutil.copyfile(sample_project_path, path)
    before = _file_content(path)
    import layers.analysis_io as analysis_io

    real = analysis_io.write_outputs

    def failing(result, out, **kwargs):
        real(result, out, **kwargs)
        raise OSError(28, "No space left on device", str(out / "network.graphml"))

    monkeypatch.setattr(analysis_io, "write_outputs", failing)
    assert main(["analyze", str(path), "--out", str(tmp_path / "hasil")]) == 1
    err = capsys.readouterr().err
    assert "network.graphml" in err and "Traceback" not in err
    assert _file_content(path) == before
    assert not (tmp_path / "hasil" / "gaps.csv").exists()
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob("p.gpkg-journal"))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_store_process_that_dies_is_a_clear_message(sample_project_path, tmp_path,
                                                      monkeypatch, capsys, lang):
    from layers import store_handover

    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    path = tmp_path / "p.gpkg"
    shutil.copyfile(sample_project_path, path)
    before = _file_content(path)
    end = store_handover.ChildStore.end

    def killed(self, *args):
        end(self, *args)
        self._proc.kill()  # the store process dies (out of memory, killed by the user)

    monkeypatch.setattr(store_handover.ChildStore, "end", killed)
    assert main(["analyze", str(path), "--out", str(tmp_path / "hasil"), "--lang", lang]) == 1
    err = capsys.readouterr().err
    assert "p.gpkg" in err and "Traceback" not in err
    assert ("tidak tersimpan" in err) == (lang == "id")
    assert ("were not stored" in err) == (lang == "en")
    assert _file_content(path) == before
    assert not (tmp_path / "hasil" / "gaps.csv").exists()
