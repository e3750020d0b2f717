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


def test_posyandu_and_every_desa_scenarios_reach_the_outputs(sample_project_path, tmp_path,
                                                             capsys):
    """On the sample: a Posyandu scenario planned by ``scenario create`` finds the desa short
    of Posyandu, its comparison finds the people the planner counted, and the XLSX tables
    carry it; an every-desa scenario plans one Pustu for each desa the analysis finds
    without one where one is required (not in a desa whose Puskesmas serves it)."""
    from openpyxl import load_workbook

    from ilp_gis import scenario, siting
    from layers.project_file import open_project
    from reports.source import get_result

    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    project = open_project(proj)
    result = get_result(project)
    d = result.desa
    deficit = pd.to_numeric(d["posyandu_deficit"], errors="coerce")
    short, missing = int((deficit > 0).sum()), int(deficit[deficit > 0].sum())
    assert short > 0
    cost = project.rules["cost.open_posyandu"]
    planned = siting.plan_sites(project, site_type="posyandu", budget=10 * cost)
    assert main(["scenario", "create", str(proj), "Posy", "--objective", "mclp", "--type",
                 "posyandu", "--budget", str(int(10 * cost))]) == 0
    assert main(["scenario", "compare", str(proj), "Posy"]) == 0
    text = capsys.readouterr().out
    assert "nan" not in text.lower().split()
    again = open_project(proj)
    acts = scenario.scenario_actions(again, "Posy")
    assert len(acts) == 10 and set(acts["action"]) == {"new_posyandu"}
    assert set(acts["desa_code"]) <= set(d.loc[deficit > 0, "code"])
    total = scenario.stored_comparison(again, "Posy")
    total = total[total["kecamatan_code"].isna()].iloc[0]
    assert abs(total["pop_newly_covered"] - planned.population_gained) < 1e-6
    assert any(f"{short} desa" in n and str(missing) in n for n in planned.problem.notes)

    need = (~d["has_pustu"].astype(bool)) & d["pustu_required"].astype(bool)
    assert (~d["pustu_required"].astype(bool)).sum() > 0  # the sample has Puskesmas desa
    assert main(["scenario", "create", str(proj), "Semua", "--objective", "every_desa"]) == 0
    every = scenario.scenario_actions(open_project(proj), "Semua")
    assert sorted(every["desa_code"]) == sorted(d.loc[need, "code"])
    capsys.readouterr()
    assert main(["scenario", "list", str(proj)]) == 0
    listed = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(listed) if line.startswith("Semua: "))
    assert "belum dibandingkan" in listed[at + 1]  # never compared: said, no figure
    at = next(i for i, line in enumerate(listed) if line.startswith("Posy: "))
    assert "penduduk baru terjangkau" in listed[at + 1]

    xlsx = tmp_path / "t.xlsx"
    assert main(["tables", str(proj), "-o", str(xlsx)]) == 0
    wb = load_workbook(xlsx, read_only=True)
    rows = list(wb["Skenario"].iter_rows(values_only=True))
    head = rows[0]
    by = {(r[0], r[1]): dict(zip(head, r, strict=True)) for r in rows[1:]}
    posy = by[("Posy", "Total kabupaten")]
    assert abs(posy["Penduduk baru terjangkau"] - planned.population_gained) < 1e-6
    assert by[("Semua", "Total kabupaten")]["Biaya per penduduk baru terjangkau"] \
        .startswith("tidak ada data")  # never compared: said, not 0
    sites = list(wb["Skenario – lokasi"].iter_rows(values_only=True))
    assert len(sites) - 1 == 10 + int(need.sum())


def test_list_reads_the_stored_analysis_only_for_a_comparison_without_data_key(
        sample_project_path, tmp_path, capsys):
    """``scenario list`` reads the scenario tables and the layers of the data key; a
    comparison stored before that key is judged by its gaps before against the stored
    analysis, which it then reads: the note names both counts."""
    from ilp_gis import scenario
    from ilp_gis.analysis import load_result
    from layers.project_file import open_project, save_project

    proj = tmp_path / "p.gpkg"
    shutil.copy(sample_project_path, proj)
    assert main(["analyze", str(proj), "--out", str(tmp_path / "a")]) == 0
    assert main(["plan", str(proj), "--k", "2", "--out", str(tmp_path / "r"),
                 "--scenario", "Dua", "--greedy-only"]) == 0
    assert main(["scenario", "compare", str(proj), "Dua"]) == 0
    capsys.readouterr()
    assert main(["scenario", "list", str(proj)]) == 0
    assert "Dibanding kondisi sekarang" in capsys.readouterr().out

    p = open_project(proj)
    gaps_now = len(load_result(p).gaps)
    comp = pd.DataFrame(p.tables[scenario.COMPARISON_TABLE]).drop(columns="baseline_key")
    comp["gaps_before"] = comp["gaps_before"].where(comp["kecamatan_code"].notna(),
                                                    float(gaps_now + 2))
    p.set_table(scenario.COMPARISON_TABLE, comp)
    save_project(p)
    assert main(["scenario", "list", str(proj)]) == 0
    out = capsys.readouterr().out
    assert "Dibanding kondisi sekarang" not in out
    assert f"{gaps_now + 2} celah sebelum, analisis sekarang {gaps_now} celah" in out
    # delete reads the scenario tables alone; every other layer and table stays in the file
    assert main(["scenario", "delete", str(proj), "Dua"]) == 0
    after = open_project(proj)
    assert scenario.scenario_names(after) == [] and not len(scenario.stored_comparison(after))
    assert len(after.facilities) == len(p.facilities) and len(after.roads) == len(p.roads)
    assert len(load_result(after).gaps) == gaps_now
