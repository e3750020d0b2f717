"""``ilp-gis analyze`` prints its phase timings on stderr when ``ILP_GIS_PHASES`` is set (the
bench reads them), and says nothing of them otherwise."""

from __future__ import annotations

import json

from layers.project_file import save_project
from tests.ilp_gis.micro import frame, line, make_project
from ui.cli import main
from ui.cli_analyze import PHASES_ENV, PhaseClock

FILES = ["summary.json", "gaps.csv", "priority.csv", "desa_coverage.gpkg", "network.graphml"]


def _project(tmp_path):
    roads = frame([dict(road_class="lokal")], [line((0, 2), (8, 2))])
    return save_project(make_project(roads=roads), tmp_path / "micro.gpkg")


def test_phase_line_names_every_phase_in_order(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(PHASES_ENV, "1")
    path = _project(tmp_path)
    assert main(["analyze", str(path), "--out", str(tmp_path / "hasil"), "--lang", "en"]) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith(PHASES_ENV + " ")]
    assert len(lines) == 1
    found = json.loads(lines[0][len(PHASES_ENV) + 1:])
    names = [p[0] for p in found["phases"]]
    assert names == ["imports beside the opening", "open", "analyse", "release inputs",
                     "result tables built", "store", *FILES, "all or nothing: commit",
                     "messages"]
    assert all(w >= 0 and c >= 0 for _, w, c in found["phases"])
    assert found["cpu_before_command"] >= 0
    peaks = found.get("peak_mb_after")
    if peaks is not None:  # where the system says (not on Windows): one per phase, rising
        assert [n for n, _ in peaks] == names
        assert all(0 < a <= b for (_, a), (_, b) in zip(peaks, peaks[1:], strict=False))


def test_phase_line_of_a_store_beside_the_outputs(tmp_path, capsys, monkeypatch):
    """A large store runs in a second process while the files are written: handed over
    first, waited for after the last file, and the store process's own figures on a line of
    their own."""
    import layers.project_file as project_file

    monkeypatch.setattr(project_file, "BESIDE_MIN_CELLS", 0)
    monkeypatch.setenv(PHASES_ENV, "1")
    path = _project(tmp_path)
    assert main(["analyze", str(path), "--out", str(tmp_path / "hasil"), "--lang", "en"]) == 0
    err = capsys.readouterr().err.splitlines()
    found = json.loads([x for x in err if x.startswith(PHASES_ENV + " ")][0][
        len(PHASES_ENV) + 1:])
    assert [p[0] for p in found["phases"]] == [
        "imports beside the opening", "open", "analyse", "release inputs", "result tables built", "store handed over",
        *FILES, "store (waited for)", "all or nothing: commit", "messages"]
    child = json.loads([x for x in err if x.startswith("ILP_GIS_STORE_CHILD ")][0].split(
        " ", 1)[1])
    assert child["store_wall_s"] >= 0 and child["store_cpu_s"] >= 0


def test_no_phase_line_without_the_variable(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(PHASES_ENV, raising=False)
    path = _project(tmp_path)
    assert main(["analyze", str(path), "--out", str(tmp_path / "hasil"), "--no-save"]) == 0
    assert PHASES_ENV not in capsys.readouterr().err


def test_phases_add_up_to_the_time_between_first_and_last_mark():
    clock = PhaseClock()
    clock.mark("a")
    sum(range(10000))
    clock.mark("b")
    (a, wa, _), (b, wb, _) = clock.phases
    assert (a, b) == ("a", "b") and wa >= 0 and wb >= 0
    assert json.loads(clock.line()[len(PHASES_ENV) + 1:])["phases"][1][0] == "b"
