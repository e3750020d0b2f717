"""A scenario's sites and its comparison with the baseline in the outputs: the labelled sites
layer, the overview, the XLSX sheets and the plan report's "Skenario" section, on a hand-made
district whose answers are worked out here."""

from __future__ import annotations

from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from ilp_gis import scenario
from ilp_gis.project import Project
from ilp_gis.siting.measure import CoverageMeasure
from layers import symbology as sym
from reports.scenarios import (
    scenario_comparison_rows,
    scenario_overview,
    scenario_sites_layer,
)

UTM = "EPSG:32749"
X0, Y0 = 500_000.0, 9_100_000.0


def _project():
    """Three desa of 4 km squares in a row (centres 4 km apart), 1,000 / 2,000 / 3,000
    people; a Pustu in D1.  Within 4.5 km of it: D1 and D2 (3,000 people), not D3."""
    geoms = [box(X0 + 4000 * i, Y0, X0 + 4000 * (i + 1), Y0 + 4000) for i in range(3)]
    desa = gpd.GeoDataFrame({
        "code": ["11.01.01.2001", "11.01.01.2002", "11.01.01.2003"],
        "name": ["Satu", "Dua", "Tiga"], "kecamatan_code": ["11.01.01"] * 3,
        "kecamatan_name": ["Kecil"] * 3, "population": [1000.0, 2000.0, 3000.0],
    }, geometry=geoms, crs=UTM).to_crs("EPSG:4326")
    fac = gpd.GeoDataFrame({"fac_id": ["PU1"], "name": ["Pustu Satu"], "type": ["pustu"],
                            "precursor": [False], "desa_code": ["11.01.01.2001"],
                            "nakes": [1.0]},
                           geometry=[Point(X0 + 2000, Y0 + 2000)], crs=UTM).to_crs("EPSG:4326")
    proj = Project(layers={"desa": desa, "facilities": fac})
    d3 = gpd.GeoSeries([Point(X0 + 10_000, Y0 + 2000)], crs=UTM).to_crs("EPSG:4326").iloc[0]
    measure = CoverageMeasure("pustu", "km", 4.5, "given")
    scenario.set_scenario(proj, "Bangun", pd.DataFrame([{
        "action": "new_pustu", "name": "Pustu Tiga", "lon": d3.x, "lat": d3.y}]),
        measure=measure)
    scenario.set_scenario(proj, "Nakes", pd.DataFrame([{
        "action": "add_nakes", "fac_id": "PU1", "count": 1, "role": "nurse"}]),
        measure=CoverageMeasure("pustu", "km", proj.rules["limit.pustu_distance_km"], "given"))
    scenario.set_scenario(proj, "Belum", pd.DataFrame([{
        "action": "upgrade_pustu", "fac_id": "PU1"}]))
    for name in ("Bangun", "Nakes"):
        scenario.store_outcome(proj, scenario.run_scenario(proj, name))
    return proj


@pytest.fixture(scope="module")
def proj():
    return _project()


def test_sites_layer_labels(proj):
    sites = scenario_sites_layer(proj, "Bangun", lang="id")
    assert len(sites) == 1 and sites.crs.to_epsg() == 4326
    s = sites.iloc[0]
    build = proj.rules["cost.build_pustu"]
    assert (s["action"], s["style"], s["desa_code"], s["desa_name"], s["kecamatan_name"]) == \
        ("new_pustu", "new_pustu", "11.01.01.2003", "Tiga", "Kecil")
    assert s["amount"] == build
    rp = f"Rp {build:,.0f}".replace(",", ".")
    assert s["label"] == f"Skenario Bangun — Pustu baru: Pustu Tiga — Desa Tiga, Kec. Kecil ({rp})"
    assert sym.scenario_site_style(s["style"]) is sym.SCENARIO_SITE_STYLES["new_pustu"]
    en = scenario_sites_layer(proj, "Bangun", lang="en").iloc[0]["label"]
    assert en.startswith("Scenario Bangun — New Pustu: Pustu Tiga")
    every = scenario_sites_layer(proj)
    # the add-nakes and upgrade actions stand at their facility, PU1 in D1
    assert sorted(every["scenario"]) == ["Bangun", "Belum", "Nakes"]
    assert set(every.loc[every["scenario"] != "Bangun", "desa_name"]) == {"Satu"}


def test_overview_worked_out(proj):
    over = scenario_overview(proj).set_index("scenario")
    build = proj.rules["cost.build_pustu"]
    b = over.loc["Bangun"]
    # D3's 3,000 people come within 4.5 km of the new Pustu; before: D1 + D2 = 3,000
    assert b["compared"] and b["actions"] == 1 and b["cost"] == build
    assert (b["pop_within_before"], b["pop_within_after"], b["pop_newly_covered"]) == \
        (3000, 6000, 3000)
    assert b["cost_per_person"] == pytest.approx(build / 3000)
    assert b["cost_per_person_text"] == f"Rp {build / 3000:,.0f}".replace(",", ".")
    n = over.loc["Nakes"]
    assert n["compared"] and n["pop_newly_covered"] == 0
    assert np.isnan(n["cost_per_person"])  # the figure is missing, the text says why
    assert n["cost_per_person_text"] == "– (tidak ada penduduk baru terjangkau)"
    u = over.loc["Belum"]
    assert not u["compared"] and np.isnan(u["pop_newly_covered"])
    assert u["note"] == u["cost_per_person_text"] == \
        "tidak ada data — skenario belum dibandingkan dengan kondisi sekarang"
    # a comparison made on other data is not shown: the facilities changed since (a nurse
    # more in PU1), or the rules did
    changed = proj.copy()
    fac = changed.facilities.copy()
    fac["nakes"] = fac["nakes"] + 1
    changed.set_layer("facilities", fac)
    over2 = scenario_overview(changed).set_index("scenario")
    assert not over2["compared"].any() and over2["pop_newly_covered"].isna().all()
    assert over2.loc["Bangun", "note"].startswith("tidak ada data — data atau aturan")
    ruled = proj.copy()
    ruled.set_rules(proj.rules.with_values(cost__build_pustu=2.0e9))
    assert not scenario_overview(ruled)["compared"].any()
    assert scenario_overview(proj.copy())["compared"].sum() == 2  # a copy is the same data
    # a comparison stored without that key: its gaps before against the analysis now (same
    # limit as the rules; one made with its own limit cannot be checked that way)
    old = proj.copy()
    old.set_table(scenario.COMPARISON_TABLE, pd.DataFrame(
        old.tables[scenario.COMPARISON_TABLE]).drop(columns="baseline_key"))
    gaps_then = int(n["gaps_before"])
    other = SimpleNamespace(gaps=pd.DataFrame({"kind": ["no_pustu"] * (gaps_then + 2)}))
    over3 = scenario_overview(old, other).set_index("scenario")
    stale = over3.loc["Nakes"]
    assert over3.loc["Bangun", "compared"]
    assert not stale["compared"] and np.isnan(stale["pop_newly_covered"])
    assert f"{gaps_then} celah sebelum" in stale["note"] and f"{gaps_then + 2} celah" in \
        stale["note"]
    rows = scenario_comparison_rows(proj)
    assert list(rows.loc[rows["scenario"] == "Bangun", "row_label"]) == ["Kecil",
                                                                        "Total kabupaten"]


def test_xlsx_scenario_sheets(proj, tmp_path):
    from openpyxl import load_workbook

    from reports.xlsx_tables import write_tables

    out = write_tables(proj, path=tmp_path / "t.xlsx", lang="id")
    wb = load_workbook(out, read_only=True)
    rows = list(wb["Skenario"].iter_rows(values_only=True))
    head = rows[0]
    by = {(r[0], r[1]): dict(zip(head, r, strict=True)) for r in rows[1:]}
    build = proj.rules["cost.build_pustu"]
    t = by[("Bangun", "Total kabupaten")]
    assert (t["Penduduk terjangkau sekarang"], t["Penduduk terjangkau dengan skenario"],
            t["Penduduk baru terjangkau"], t["Biaya skenario"]) == (3000, 6000, 3000, build)
    assert t["Biaya per penduduk baru terjangkau"] == f"Rp {build / 3000:,.0f}".replace(",", ".")
    assert by[("Nakes", "Total kabupaten")]["Biaya per penduduk baru terjangkau"] == \
        "– (tidak ada penduduk baru terjangkau)"
    u = by[("Belum", "Total kabupaten")]
    assert u["Penduduk baru terjangkau"] is None  # missing stays empty, never 0
    assert u["Biaya per penduduk baru terjangkau"].startswith("tidak ada data")
    sites = list(wb["Skenario – lokasi"].iter_rows(values_only=True))
    assert len(sites) == 4 and ("Bangun", "1", "Pustu baru", "Pustu Tiga") == sites[1][:4]


def test_plan_report_scenario_section(proj, tmp_path):
    from reports.pdf import build_report
    from tests.reports.helpers import pdf_text, render

    out = build_report(proj, path=tmp_path / "r.pdf", kind="plan", lang="id")
    text = pdf_text(out)
    start = text.index("Skenario perencanaan\n", text.index("Skenario perencanaan") + 1)
    section = " ".join(text[start:].split())
    build = proj.rules["cost.build_pustu"]
    per = f"{build / 3000:,.0f}".replace(",", ".")
    assert "Skenario Bangun" in section and "Pustu Tiga" in section
    assert "3.000 → 6.000" in section and f"Rp {per}" in section
    assert "– (tidak ada penduduk baru terjangkau)" in section
    assert "skenario belum dibandingkan dengan kondisi sekarang" in section
    assert "nan" not in section.lower().split()
    # the new Pustu is drawn on the scenario's map in its own colour
    from pypdf import PdfReader

    pages = [i for i, p in enumerate(PdfReader(str(out)).pages, start=1)
             if "Skenario Bangun" in (p.extract_text() or "")]
    assert pages
    fill = np.array(sym.hex_to_rgb(sym.SCENARIO_SITE_STYLES["new_pustu"].fill))
    imgs = render(out, tmp_path, dpi=100, first=pages[0], last=pages[-1])
    near = sum(int((np.abs(img.astype(int) - fill).sum(axis=2) < 30).sum()) for img in imgs)
    assert near > 10


def test_scenario_outputs_in_one_language(proj, tmp_path):
    import re
    import zipfile
    from html import unescape

    from reports.pdf import build_report
    from reports.xlsx_tables import write_tables
    from tests.reports.helpers import pdf_text
    from tests.reports.test_one_language import _keys, _problems

    keys = _keys()
    pdf = pdf_text(build_report(proj, path=tmp_path / "id.pdf", kind="plan", lang="id"))
    assert _problems(pdf[pdf.index("Skenario perencanaan\n", pdf.index(
        "Skenario perencanaan") + 1):], keys) == []
    book = write_tables(proj, path=tmp_path / "id.xlsx", lang="id")
    with zipfile.ZipFile(book) as z:
        xml = " ".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.startswith("xl/") and n.endswith(".xml"))
    cells = unescape(" ".join(re.findall(r"<t[^>]*>([^<]*)</t>", xml)))
    assert "Skenario" in cells and _problems(cells, keys) == []
    en = pdf_text(build_report(proj, path=tmp_path / "en.pdf", kind="plan", lang="en"))
    section = " ".join(en[en.index("Planning scenarios\n", en.index(
        "Planning scenarios") + 1):].split())
    assert "Scenario Bangun" in section and "– (no one newly covered)" in section
    assert "no data — the scenario has not been compared with the baseline" in section
    for word in ("Skenario", "penduduk", "tidak ada", "celah", "Biaya"):
        assert word not in section, word


def test_changes_layer(proj):
    from reports.scenarios import change_style, scenario_changes_layer

    ch = scenario_changes_layer(proj, "Bangun", lang="id").set_index("code")
    assert ch.crs.to_epsg() == 4326 and len(ch) == 3
    # the new Pustu in D3 closes D3's gaps (no Pustu, beyond the limit) and opens none
    d3 = ch.loc["11.01.01.2003"]
    assert d3["gaps_closed"] >= 1 and d3["gaps_new"] == 0 and d3["style"] == "closed"
    assert d3["pop_newly_covered"] == 3000
    assert d3["label"].startswith("Desa Tiga: ") and "3.000 penduduk baru terjangkau" in \
        d3["label"]
    assert pd.isna(ch.loc["11.01.01.2001", "style"])  # unchanged: no style
    assert ch.loc["11.01.01.2001", "pop_newly_covered"] == 0
    assert (change_style(2, 1), change_style(2, 0), change_style(0, 0),
            change_style(float("nan"), None)) == ("new", "closed", None, None)
    assert not len(scenario_changes_layer(proj, "Belum"))  # never compared: nothing drawn


def test_kecamatan_report_counts_its_own_actions(proj):
    from reports.pdf.scenarios import _overview

    sites = scenario_sites_layer(proj)
    result = SimpleNamespace(gaps=None)
    here = SimpleNamespace(project=proj, result=result, kec_code="11.01.01")
    over = _overview(here, sites[sites["kecamatan_code"] == "11.01.01"]).set_index("scenario")
    assert over.loc["Bangun", "actions"] == 1
    assert over.loc["Bangun", "cost"] == proj.rules["cost.build_pustu"]
    assert over.loc["Bangun", "pop_newly_covered"] == 3000  # the kecamatan's own row
    # a kecamatan the scenarios do not reach: no action there, no district figure shown
    away = SimpleNamespace(project=proj, result=result, kec_code="11.01.09")
    other = _overview(away, sites[sites["kecamatan_code"] == "11.01.09"]).set_index("scenario")
    assert (other["actions"] == 0).all() and (other["cost"] == 0).all()
    assert not other.loc["Bangun", "compared"]
    assert other.loc["Bangun", "note"].startswith("tidak ada data")
