"""PWS tables read in both layouts and the PWS views (issue 14), on the micro district with
answers worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ilp_gis.errors import InputError
from ilp_gis.monitoring import pws
from layers.pws_import import read_pws
from tests.ilp_gis import micro


def _project():
    rows, geoms = micro.desa_rows()
    rows[0]["pop_ibu_hamil"] = 40.0  # A1: a figure from a per-desa table
    desa = micro.frame(rows, geoms)  # A2 has only its population (2000): an estimate
    return micro.make_project(desa=desa)


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_long_layout_with_bad_rows(tmp_path):
    project = _project()
    f = _write(tmp_path, "pws_k4.csv",
               "desa;kecamatan;bulan;tahun;indikator;nilai\n"
               "A1;Kec A;Januari;2026;K4;10\n"
               "A1;Kec A;Februari;2026;k4;12\n"
               "A1;Kec A;Maret;2026;K4 ibu hamil;8\n"
               "35.07.01.2002;;2026-01;;k4;1\n"
               "35.07.01.2002;;2026-02;;k4;1\n"
               "35.07.01.2002;;2026-03;;k4;1\n"
               "Z9;;2026-03;;k4;5\n"
               "B1;;2026-03;;k4;dua\n"
               "B2;;2026-03;;k4;-\n"
               "B2;;2026-03;;k9;3\n"
               "C1;;Bulan 13;2026;k4;3\n")
    values, report = read_pws(f, project.desa)
    assert len(values) == 6
    assert set(values["desa_code"]) == {"35.07.01.2001", "35.07.01.2002"}
    rows = report[report["row"] > 0].set_index("row")
    assert rows.loc[8, "status"] == "skipped" and "Z9" in rows.loc[8, "message"]
    assert rows.loc[9, "status"] == "skipped" and "\"dua\" bukan angka" in rows.loc[9, "message"]
    assert rows.loc[10, "status"] == "skipped"  # only "-": no value, said so
    assert "k9" in rows.loc[11, "message"]
    assert rows.loc[12, "problem"] == "bad_period"
    assert (rows.loc[2:7, "status"] == "imported").all()
    assert len(rows) == 11  # one line per data row, none dropped silently

    pws.add_values(project, values)
    r = pws.ranking(project, "k4", "Maret 2026").set_index("desa_code")
    a1, a2 = r.loc["35.07.01.2001"], r.loc["35.07.01.2002"]
    assert a1["sasaran"] == 40 and a1["sasaran_source"] == "desa"
    assert a1["cumulative"] == 30 and a1["achievement"] == pytest.approx(0.75)
    assert r.attrs["expected"] == pytest.approx(0.25)
    assert a1["pws_class"] == pws.KURANG  # on target, but March (8) below February (12)
    assert a2["sasaran"] == pytest.approx(36.0) and a2["sasaran_source"] == "estimasi"
    assert a2["achievement"] == pytest.approx(3 / 36)
    assert a2["pws_class"] == pws.CUKUP  # below target, not falling (1 then 1)
    b1 = r.loc["35.07.02.2001"]
    assert pd.isna(b1["pws_class"]) and np.isnan(b1["achievement"])  # no data, not 0
    assert pd.isna(b1["rank"])
    order = pws.ranking(project, "k4", "2026-03")["desa_code"].tolist()
    assert order[:2] == ["35.07.01.2001", "35.07.01.2002"]
    assert pws.class_label(None) == "tidak ada data"

    line = pws.kabupaten_line(project, "k4", 2026)
    assert line["period"].tolist() == ["2026-01", "2026-02", "2026-03"]
    assert line["achievement"].iloc[-1] == pytest.approx((30 + 3) / (40 + 36))
    view = pws.desa_view(project, "35.07.01.2001", 2026)
    assert view.set_index("indicator").loc["k4", "2026-02"] == 12
    assert np.isnan(view.set_index("indicator").loc["k4", "2026-04"])


def test_wide_layout_one_indicator_and_replacing(tmp_path):
    project = _project()
    f = _write(tmp_path, "ds.csv", "Desa,Jan,Feb,Mar,Sasaran\nA1,50,60,,100\nA2,10,,5,20\n")
    with pytest.raises(InputError, match="indikator"):
        read_pws(f, project.desa, year=2026)
    values, report = read_pws(f, project.desa, indicator="ds", year=2026)
    assert sorted(values["period"].tolist()) == ["2026-01", "2026-01", "2026-02", "2026-03"]
    pws.add_values(project, values)
    feb = pws.ranking(project, "ds", "2026-02").set_index("desa_code")
    assert feb.loc["35.07.01.2001", "achievement"] == pytest.approx(0.6)
    assert feb.loc["35.07.01.2001", "pws_class"] == pws.CUKUP  # below 85%, rising from 50%
    assert np.isnan(feb.loc["35.07.01.2002", "achievement"])  # February empty: no data
    mar = pws.ranking(project, "ds", "2026-03").set_index("desa_code")
    assert mar.loc["35.07.01.2002", "achievement"] == pytest.approx(0.25)
    # importing the same month again replaces, never adds up
    again = values[values["period"] == "2026-01"].assign(value=[55.0, 11.0])
    assert pws.add_values(project, again) == 2
    jan = pws.ranking(project, "ds", "2026-01").set_index("desa_code")
    assert jan.loc["35.07.01.2001", "achievement"] == pytest.approx(0.55)


def test_prevalence_lower_is_better(tmp_path):
    project = _project()
    f = _write(tmp_path, "st.csv", "desa,bulan,nilai\nA1,2026-06,20%\nA2,2026-06,0.1\n")
    values, _ = read_pws(f, project.desa, indicator="stunting")
    pws.add_values(project, values)
    r = pws.ranking(project, "stunting", "Juni 2026").set_index("desa_code")
    assert r.loc["35.07.01.2002", "pws_class"] == pws.BAIK  # 10% <= 14%
    assert r.loc["35.07.01.2001", "pws_class"] == pws.CUKUP  # 20% > 14%, no earlier month
    first = pws.ranking(project, "stunting", "2026-06")["desa_code"].iloc[0]
    assert first == "35.07.01.2002"  # the lowest prevalence ranks first


def test_indicator_file_errors(tmp_path):
    with pytest.raises(InputError, match="jenis"):
        pws.parse_indicators('[indicator.x]\nkind = "weird"\ntarget = 1\n', origin="x.toml")
    with pytest.raises(InputError, match="target"):
        pws.parse_indicators('[indicator.x]\nkind = "monthly"\n', origin="x.toml")
    inds = pws.parse_indicators('[indicator.x]\nkind = "monthly"\ntarget = 80\n',
                                origin="x.toml")
    assert inds.items["x"].target == pytest.approx(0.8)  # a percent read as a share
    with pytest.raises(InputError, match="bukan bulan"):
        pws.ranking(_project(), "k4", "2026-Q1")
    d = pws.default_indicators()
    assert {"k1", "k4", "k6", "ds", "nd", "idl", "stunting", "skrining_ptm", "lansia",
            "tb"} <= set(d.items)
    assert all(i.source for i in d.items.values())


def test_wide_rows_with_bad_cells_keep_their_good_months(tmp_path):
    """The column-at-once reader: each bad cell is named with its month, the good months of
    the same row are kept, a bad denominator is dropped (the values stay)."""
    project = _project()
    f = _write(tmp_path, "k1.csv",
               "desa;indikator;2026-01;2026-02;2026-03;sasaran\n"
               "A1;K1;4;tiga;-2;40\n"         # Jan kept; Feb text, Mar negative: doubtful
               "A2;k1;85 %;1,5;;banyak\n"     # 0.85 and 1.5 kept, sasaran "banyak" dropped
               "B1;k1;x;y;z;\n"               # nothing readable: skipped, every cell named
               "B2;k1;;;;\n"                  # empty: skipped as a row without values
               "Q9;k1;1;1;1;\n"               # unknown desa
               "C1;polio;1;1;1;\n")           # unknown indicator
    values, report = read_pws(f, project.desa)
    got = {(r.desa_code, r.period): (r.value, r.denominator) for r in values.itertuples()}
    assert got.keys() == {("35.07.01.2001", "2026-01"), ("35.07.01.2002", "2026-01"),
                          ("35.07.01.2002", "2026-02")}
    assert got[("35.07.01.2001", "2026-01")] == (4.0, 40.0)
    assert got[("35.07.01.2002", "2026-01")][0] == pytest.approx(0.85)
    assert got[("35.07.01.2002", "2026-02")][0] == 1.5
    assert np.isnan(got[("35.07.01.2002", "2026-02")][1])  # the bad sasaran is not kept
    rows = report[report["row"] > 0].set_index("row")
    assert rows.loc[2, "status"] == "doubtful"
    assert rows.loc[2, "message"] == ('2026-02: "tiga" bukan angka; '
                                      "2026-03: nilai negatif -2")
    assert rows.loc[3, "status"] == "doubtful" and '"banyak" bukan angka' in rows.loc[3, "message"]
    assert rows.loc[4, "status"] == "skipped"
    assert [m.split(":")[0] for m in rows.loc[4, "message"].split("; ")] == [
        "2026-01", "2026-02", "2026-03"]
    assert rows.loc[5, "problem"] == "no_values" and rows.loc[5, "status"] == "skipped"
    assert rows.loc[6, "problem"] == "unknown_desa" and "Q9" in rows.loc[6, "message"]
    assert rows.loc[7, "problem"] == "unknown_indicator" and "polio" in rows.loc[7, "message"]
    assert len(rows) == 6
