"""``ilp-gis plan``: chosen sites written, scenario stored, bad input → exit 1."""

from __future__ import annotations

import shutil

import pandas as pd

from ui.cli import main


def test_plan_budget_writes_sites_and_scenario(sample_project_path, tmp_path, capsys):
    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    out = tmp_path / "out"
    rc = main(["plan", str(proj), "--budget", "Rp 5 M", "--out", str(out), "--year", "2027"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "Jawaban cepat (greedy)" in text and "Optimum (HiGHS)" in text
    assert "Running HiGHS" not in text
    sites = pd.read_csv(out / "lokasi_usulan.csv")
    assert len(sites) >= 1 and sites["cost"].sum() <= 5e9
    assert (out / "lokasi_usulan.gpkg").exists() and (out / "lokasi_usulan_ringkasan.json").exists()
    from ilp_gis import scenario
    from layers.project_file import open_project

    again = open_project(proj)
    assert scenario.scenario_names(again) == ["Optimasi pustu Rp 5 M"]
    acts = scenario.scenario_actions(again, "Optimasi pustu Rp 5 M")
    assert len(acts) == len(sites) and set(acts["year"]) == {2027}


def test_plan_bad_input(sample_project_path, tmp_path, capsys):
    rc = main(["plan", str(sample_project_path), "--budget", "lima miliar", "--out",
               str(tmp_path)])
    assert rc == 1 and "lima miliar" in capsys.readouterr().err
    rc = main(["--lang", "en", "plan", str(tmp_path / "missing.gpkg"), "--k", "2", "--out",
               str(tmp_path)])
    assert rc == 1 and "not found" in capsys.readouterr().err


def test_plan_without_population_or_pustu_list_exits_1(tmp_path, capsys):
    """A project with Puskesmas only and no population (like the real Kabupaten Malang): plan
    exits 1 with the reason and writes nothing; it never says "everyone is covered"."""
    import geopandas as gpd
    from shapely.geometry import Point, box

    from ilp_gis.project import Project
    from layers.project_file import save_project

    desa = gpd.GeoDataFrame({"code": ["35.07.01.2001", "35.07.01.2002"], "name": ["A", "B"],
                             "kecamatan_code": ["35.07.01"] * 2},
                            geometry=[box(112.0, -8.0, 112.05, -7.95),
                                      box(112.05, -8.0, 112.1, -7.95)], crs="EPSG:4326")
    fac = gpd.GeoDataFrame({"fac_id": ["P1"], "name": ["Puskesmas A"], "type": ["puskesmas"]},
                           geometry=[Point(112.02, -7.97)], crs="EPSG:4326")
    proj = tmp_path / "p.gpkg"
    project = Project(layers={"desa": desa, "facilities": fac})
    project.path = proj
    save_project(project)
    out = tmp_path / "out"
    rc = main(["plan", str(proj), "--k", "2", "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 1
    assert "penduduk per desa" in captured.err and "daftar Pustu" in captured.err
    assert "Semua penduduk" not in captured.out + captured.err
    assert not out.exists()
