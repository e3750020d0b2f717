"""``ilp-gis scenario create|list|compare|delete``: the planner's sites and the comparison of
the same choice agree; bad tables are named and nothing is written."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from ui.cli import main


def test_plan_then_compare_agree_and_outputs_find_it(sample_project_path, tmp_path, capsys):
    from ilp_gis import scenario
    from layers.project_file import open_project

    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    out = tmp_path / "out"
    assert main(["plan", str(proj), "--budget", "Rp 5 M", "--out", str(out),
                 "--scenario", "Rp5M"]) == 0
    summary = json.loads((out / "lokasi_usulan_ringkasan.json").read_text(encoding="utf-8"))
    assert summary["measure"]["unit"] == "min"  # the sample has roads: minutes, as the gaps
    capsys.readouterr()
    assert main(["scenario", "compare", str(proj), "Rp5M", "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "menit" in text and "penduduk baru terjangkau" in text
    again = open_project(proj)
    comp = scenario.stored_comparison(again, "Rp5M")
    total = comp[comp["kecamatan_code"].isna()].iloc[0]
    assert total["pop_newly_covered"] > 0
    assert abs(total["pop_newly_covered"] - summary["population_gained"]) < 1e-6
    assert abs(total["cost_per_person"] - summary["cost"] / summary["population_gained"]) < 1e-3
    assert (tmp_path / "skenario_Rp5M.csv").exists()
    assert main(["scenario", "list", str(proj)]) == 0
    assert "Rp5M: " in capsys.readouterr().out
    assert main(["scenario", "delete", str(proj), "Rp5M"]) == 0
    gone = open_project(proj)
    assert scenario.scenario_names(gone) == [] and not len(scenario.stored_comparison(gone))


def test_create_from_table_and_bad_tables(sample_project_path, tmp_path, capsys):
    from ilp_gis import scenario
    from layers.project_file import open_project

    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    before = proj.read_bytes()
    bad = tmp_path / "aksi.csv"
    pd.DataFrame({"action": ["new_pustu"], "lon": ["timur"], "lat": [-8.1]}).to_csv(bad,
                                                                                 index=False)
    assert main(["scenario", "create", str(proj), "X", "--actions", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "aksi.csv" in err and "baris 2" in err and "timur" in err
    pd.DataFrame({"action": ["bangun_rs"]}).to_csv(bad, index=False)
    assert main(["scenario", "create", str(proj), "X", "--actions", str(bad)]) == 1
    assert "bangun_rs" in capsys.readouterr().err
    assert proj.read_bytes() == before  # nothing written
    fac = open_project(proj).facilities
    fid = str(fac.loc[fac["type"] == "posyandu", "fac_id"].iloc[0])
    good = tmp_path / "ok.csv"
    pd.DataFrame({"action": ["train_kader"], "fac_id": [fid], "count": [2]}).to_csv(
        good, index=False)
    assert main(["scenario", "create", str(proj), "Kader", "--actions", str(good)]) == 0
    assert main(["scenario", "create", str(proj), "Kader", "--actions", str(good)]) == 1
    assert "--replace" in capsys.readouterr().err
    acts = scenario.scenario_actions(open_project(proj), "Kader")
    assert list(acts["action"]) == ["train_kader"] and acts["count"].iloc[0] == 2
