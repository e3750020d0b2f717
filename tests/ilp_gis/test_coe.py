"""COE units by hand: 1 Puskesmas + 1 Pustu + the Pustu's Posyandu, scored on the indicator list.

The district is the micro district of ``tests.ilp_gis.micro`` with one more Puskesmas (PKM_X in
desa C1) and declared parents, so every unit below is worked out from the rows:

- PKM_A (desa A1) designated, with its designated Pustu PT_A2 (desa A2) whose Posyandu are
  PY_A2 (A2) and PY_A1b (A1): a unit of 2 Posyandu over desa A1 and A2.
- PKM_B designated, no Pustu designated: a unit without its Pustu (reported).
- PKM_X scored (0.9 in every group) but not designated: no unit, not counted.
- PT_C1 designated under PKM_X: reported, not counted.

The indicator list has five indicators: infrastruktur a, b; kebijakan c; sdm d;
model_pelayanan e (none for bahan/alat).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ilp_gis import coe
from ilp_gis.analysis import analyze
from ilp_gis.errors import RulesError
from ilp_gis.project import Project
from tests.ilp_gis.micro import facilities_frame, facility_rows, make_project

INDICATORS = """
[infrastruktur.a]
label_id = "A"
source = "test"
[infrastruktur.b]
label_id = "B"
[kebijakan.c]
label_id = "C"
[sdm.d]
label_id = "D"
[model_pelayanan.e]
label_id = "E"
"""
COLS = list(coe.model.COE_COLUMNS)
PARENTS = {"PT_A1": "PKM_A", "PT_A2": "PKM_A", "PT_B1": "PKM_B", "PT_C1": "PKM_X",
           "PY_A1a": "PT_A1", "PY_A1b": "PT_A2", "PY_A2": "PT_A2", "PY_B2": "PT_B1"}


def district(*, shares_b=(1, 1, 0.5, 0.5, 0.5)) -> Project:
    rows = facility_rows() + [dict(fac_id="PKM_X", name="Puskesmas X", type="puskesmas",
                                   xy=(10, 3))]
    for r in rows:
        r["parent_id"] = PARENTS.get(r["fac_id"])
        r["coe"] = r["fac_id"] in ("PKM_A", "PT_A2", "PKM_B", "PT_C1")
        if r["fac_id"] == "PKM_B":
            r.update(dict(zip(COLS, shares_b, strict=True)))
        if r["fac_id"] == "PKM_X":
            r.update(dict(zip(COLS, [0.9] * 5, strict=True)))
    return make_project(facilities=facilities_frame(rows))


def assessment(met: dict[str, bool | None]) -> pd.DataFrame:
    return pd.DataFrame({"fac_id": "PKM_A", "indicator": list(met),
                         "met": pd.array(list(met.values()), dtype="boolean")})


def run(project: Project):
    return analyze(project, indicators=coe.parse_indicators(INDICATORS, origin="test.toml"))


def test_the_unit_its_indicators_and_its_score():
    p = district()
    # 4 of the 5 indicators met (d not): 0.8, at the 0.8 threshold
    p.set_table(coe.ASSESSMENT_TABLE, assessment(
        {"infrastruktur.a": True, "b": True, "kebijakan.c": True, "sdm.d": False, "e": True}))
    res = run(p)
    units = res.coe.set_index("unit_id")
    a = units.loc["COE-PKM_A"]
    assert (a["fac_id"], a["pustu_id"], a["posyandu_count"]) == ("PKM_A", "PT_A2", 2)
    assert a["posyandu_ids"] == "PY_A1b;PY_A2"
    assert a["desa_codes"] == "35.07.01.2001;35.07.01.2002"  # A1 (PKM_A, PY_A1b) and A2
    assert a["score"] == pytest.approx(0.8)
    assert (a["indicators_met"], a["indicators_assessed"], a["indicators_total"]) == (4, 5, 5)
    assert a["coe_infrastruktur"] == 1.0 and a["coe_kebijakan"] == 1.0 and a["coe_sdm"] == 0.0
    assert np.isnan(a["coe_bahan_alat"]) and a["coe_model_pelayanan"] == 1.0
    assert bool(a["meets"]) is True and a["rule"] == "indicators" and a["problem"] == ""
    # PKM_B: group shares only, weighted by the indicators listed per group (2, 1, 1, 0, 1):
    # (1*2 + 1*1 + 0.5*1 + 0.5*0 + 0.5*1) / 5 = 0.8 (the plain mean, 0.7, would miss)
    b = units.loc["COE-PKM_B"]
    assert b["score"] == pytest.approx(0.8) and bool(b["meets"]) is True
    assert b["rule"] == "group_shares" and b["problem"] == "no_pustu"
    assert b["pustu_id"] is None and np.isnan(b["posyandu_count"])
    assert "rata-rata bagian kelompok" in coe.rule_text(b["rule"], b)
    s = res.summary
    assert s["coe_total"] == 2 and s["coe_meeting_threshold"] == 2
    assert s["coe_rules"] == {"indicators": 1, "group_shares": 1}
    assert s["coe_designation_problems"] == {"no_pustu": 1, "pustu_not_in_unit": 1}


def test_a_scored_puskesmas_that_is_not_designated_is_not_counted():
    res = run(district())
    # PKM_X has 0.9 in every group but is no COE; its designated Pustu PT_C1 makes no unit
    units = coe.units_only(res.coe)
    assert list(units["fac_id"]) == ["PKM_A", "PKM_B"]
    stray = res.coe[res.coe["unit_id"].isna()]
    assert list(stray["pustu_id"]) == ["PT_C1"] and list(stray["problem"]) == [
        "pustu_not_in_unit"]
    # PKM_A has neither an assessment nor shares: a unit without a score, not a "no"
    a = units.set_index("fac_id").loc["PKM_A"]
    assert a["rule"] == "none" and np.isnan(a["score"]) and pd.isna(a["meets"])
    assert res.summary["coe_total"] == 2 and res.summary["coe_meeting_threshold"] == 1
    assert res.summary["coe_undecided"] == 1
    gaps = res.gaps[res.gaps["kind"] == "coe_below_threshold"]
    assert gaps.empty  # PKM_B meets; PKM_A undecided; PKM_X is no COE


def test_unassessed_indicators_leave_the_verdict_open_until_it_is_decided():
    p = district(shares_b=(0.5, 0.5, 0.5, 0.5, 0.5))
    # a, b, c met; d, e not assessed: 3 of 5 met so far, 5 if both were: undecided
    p.set_table(coe.ASSESSMENT_TABLE, assessment({"infrastruktur.a": True, "b": True,
                                                  "kebijakan.c": True, "sdm.d": None}))
    a = coe.units_only(run(p).coe).set_index("fac_id").loc["PKM_A"]
    assert a["score"] == 1.0 and (a["indicators_met"], a["indicators_assessed"]) == (3, 3)
    assert pd.isna(a["meets"])
    assert coe.rule_text(a["rule"], a) == "bagian indikator terpenuhi (3 dari 5 dinilai)"
    # a, b not met, c met; d, e not assessed: at most 3 of 5 (0.6) can be met: a "no"
    p.set_table(coe.ASSESSMENT_TABLE, assessment({"infrastruktur.a": False, "b": False,
                                                  "kebijakan.c": True}))
    res = run(p)
    a = coe.units_only(res.coe).set_index("fac_id").loc["PKM_A"]
    assert a["score"] == pytest.approx(1 / 3) and bool(a["meets"]) is False
    # the gap is the unit's, on its Puskesmas; PKM_B's shares give 0.5: below as well
    gaps = res.gaps[res.gaps["kind"] == "coe_below_threshold"]
    assert sorted(gaps["fac_id"]) == ["PKM_A", "PKM_B"]


def test_the_default_list_has_every_group_with_sources_unconfirmed():
    ind = coe.default_indicators()
    assert all(ind.count(g.value) > 0 for g in coe.model.CoeGroup)
    assert all(i.source and i.source_id and not i.confirmed for i in ind.indicators)


def test_a_bad_indicator_list_names_the_file_and_entries():
    with pytest.raises(RulesError, match=r"daftar\.toml.*\"gedung\".*kebijakan\.x"):
        coe.parse_indicators('[gedung.a]\nlabel = "A"\n[kebijakan.x]\nsource = "s"\n',
                             origin="daftar.toml")


def test_the_project_keeps_the_chosen_list():
    p = district()
    p.meta[coe.META_INDICATORS] = INDICATORS
    b = coe.units_only(analyze(p).coe).set_index("fac_id").loc["PKM_B"]
    assert b["score"] == pytest.approx(0.8) and b["indicators_total"] == 5


def test_without_any_designation_the_coe_figures_say_which_input_is_missing():
    s = analyze(make_project()).summary  # the micro district's facilities have no coe column
    assert s["coe_meeting_threshold"] is None and s["coe_total"] is None
    assert s["coe_undecided"] is None
    assert s["missing"]["coe_total"] == ["coe"] == s["missing"]["coe_meeting_threshold"]


def test_of_two_designated_pustu_the_unit_takes_the_one_with_most_posyandu():
    fac = pd.DataFrame({
        "fac_id": ["PKM", "PT1", "PT2", "PY1", "PY2", "PY3"],
        "name": ["Puskesmas", "Pustu 1", "Pustu 2", "Posyandu 1", "Posyandu 2", "Posyandu 3"],
        "type": ["puskesmas", "pustu", "pustu", "posyandu", "posyandu", "posyandu"],
        "desa_code": ["D1", "D2", "D3", "D2", "D3", "D3"], "kecamatan_code": "K",
        "coe": [True, True, True, None, None, None]})
    edges = pd.DataFrame({"parent_id": ["PKM", "PKM", "PT1", "PT2", "PT2"],
                          "child_id": ["PT1", "PT2", "PY1", "PY2", "PY3"]})
    u = coe.coe_units(fac, edges, coe.parse_indicators(INDICATORS), 0.8)
    assert len(u) == 1
    r = u.iloc[0]
    assert (r["pustu_id"], r["posyandu_count"], r["problem"]) == ("PT2", 2, "several_pustu")
    assert r["desa_codes"] == "D1;D3" and r["rule"] == "none"
    assert coe.unit_members(u) == {"PKM": "COE-PKM", "PT2": "COE-PKM", "PY2": "COE-PKM",
                                   "PY3": "COE-PKM"}


def test_group_shares_given_as_text_are_read_as_numbers_or_left_unknown():
    # PKM_T: shares as text (as a spreadsheet import may leave them); "x" is no number
    fac = pd.DataFrame({
        "fac_id": ["PKM_T", "PT_T"], "name": ["Puskesmas T", "Pustu T"],
        "type": ["puskesmas", "pustu"], "desa_code": ["D1", "D2"],
        "kecamatan_code": ["K1", "K1"], "coe": [True, True],
        **{c: pd.Series(v, dtype=object) for c, v in zip(
            COLS, [["1", None], ["0.5", None], ["x", None], [None, None], ["0.5", None]],
            strict=True)}})
    edges = pd.DataFrame({"parent_id": ["PKM_T"], "child_id": ["PT_T"]})
    units = coe.coe_units(fac, edges, coe.parse_indicators(INDICATORS, origin="test.toml"), 0.8)
    u = units.set_index("unit_id").loc["COE-PKM_T"]
    assert (u["pustu_id"], u["pustu_name"], u["desa_codes"]) == ("PT_T", "Pustu T", "D1;D2")
    # known groups infrastruktur 1 (2 indicators), kebijakan 0.5 (1), model_pelayanan 0.5 (1):
    # (1*2 + 0.5*1 + 0.5*1) / 4 = 0.75, below 0.8; sdm ("x") and bahan/alat unknown
    assert u["score"] == pytest.approx(0.75) and bool(u["meets"]) is False
    assert u["coe_groups_known"] == 3 and np.isnan(u["coe_sdm"])
    assert u["rule"] == "group_shares" and u["problem"] == ""
