"""Posyandu strata against the criteria of the rules, and the per-desa Posyandu shortfall list,
on hand-made Posyandu and desa whose answers are worked out here."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis.posyandu import (
    discrepancy_text,
    posyandu_shortfall,
    shortfall_summary,
    strata_check,
    strata_summary,
)
from ilp_gis.rules import default_rules

NAN = np.nan


def _posyandu(rows):
    cols = ["fac_id", "level", "sessions_per_year", "kader", "program_coverage", "dana_sehat"]
    f = pd.DataFrame(rows, columns=cols)
    f["type"] = "posyandu"
    f["name"] = "Posyandu " + f["fac_id"]
    f["desa_code"] = "99.01.01.2001"
    f["kecamatan_code"] = "99.01.01"
    return f


def test_declared_strata_against_the_default_criteria():
    # default criteria: Madya = >= 8 sessions and >= 5 kader; Purnama also coverage >= 50%;
    # Mandiri also dana sehat >= 50% of families.
    f = _posyandu([
        ("A", "madya", 12, 4, 0.7, 0.6),      # 4 kader: only Pratama -> above the criteria
        ("B", "purnama", 7, 6, 0.7, 0.6),     # 7 sessions: Pratama -> above
        ("C", "purnama", 10, 5, 0.5, 0.2),    # exactly at the limits: Purnama -> agrees
        ("D", "mandiri", 10, 5, 0.6, 0.49),   # dana sehat 49%: Purnama -> above
        ("E", "pratama", 10, 6, 0.8, 0.7),    # everything met: Mandiri -> below
        ("F", "mandiri", 10, 6, NAN, 0.7),    # coverage never given: cannot be checked
        ("G", "madya", 10, 6, NAN, NAN),      # Madya's own criteria met; higher open -> agrees
        ("H", "madya", NAN, 3, NAN, NAN),     # 3 kader fail whatever the sessions -> above
        ("I", "pratama", NAN, 6, 0.9, 0.9),   # sessions missing, Pratama can't be wrong
        ("J", None, 10, 6, 0.8, 0.7),         # no stratum declared
    ])
    # rows come back in the given order with their status
    c = strata_check(f, default_rules()).set_index("fac_id")
    assert c["status"].to_dict() == {
        "A": "above_criteria", "B": "above_criteria", "C": "agrees", "D": "above_criteria",
        "E": "below_criteria", "F": "unverifiable", "G": "agrees", "H": "above_criteria",
        "I": "agrees", "J": "no_stratum"}
    assert c.loc["A", "criteria_level"] == "pratama" and c.loc["A", "failed"] == "kader"
    assert c.loc["D", "criteria_level"] == "purnama" and c.loc["D", "failed"] == "dana_sehat"
    assert c.loc["E", "criteria_level"] == "mandiri"
    assert pd.isna(c.loc["F", "criteria_level"]) and c.loc["F", "missing"] == "program_coverage"
    assert c.loc["F", "criteria_at_least"] == "madya"
    assert c.loc["H", "criteria_level"] == "pratama"
    s = strata_summary(c.reset_index())
    assert s["above_criteria"] == 4 and s["below_criteria"] == 1 and s["agrees"] == 3
    assert s["unverifiable"] == 1 and s["no_stratum"] == 1
    assert s["discrepancies_by_declared"] == {"madya": 2, "purnama": 1, "mandiri": 1,
                                              "pratama": 1}
    text = discrepancy_text(c.loc["A"], default_rules())
    assert "Madya" in text and "Pratama" in text and "kurang dari 5" in text
    assert "Mandiri" in discrepancy_text(c.loc["E"], default_rules())


def test_criteria_come_from_the_rules():
    f = _posyandu([("A", "madya", 12, 4, 0.3, 0.1)])
    assert strata_check(f, default_rules())["status"].iloc[0] == "above_criteria"
    looser = default_rules().with_values(strata__min_kader=4)
    assert strata_check(f, looser)["status"].iloc[0] == "agrees"


def test_only_posyandu_are_checked():
    f = _posyandu([("A", "madya", 12, 6, 0.3, 0.1)])
    f.loc[1] = f.loc[0]
    f.loc[1, ["fac_id", "type"]] = ["P", "puskesmas"]
    assert list(strata_check(f, default_rules())["fac_id"]) == ["A"]


def test_shortfall_lists_desa_most_lacking_first_and_never_an_unknown_need():
    desa = pd.DataFrame({
        "code": ["d1", "d2", "d3", "d4", "d5"], "name": ["Satu", "Dua", "Tiga", "Empat", "Lima"],
        "kecamatan_name": ["K", "K", "L", "L", "L"],
        "posyandu_needed": [4.0, 6.0, 3.0, NAN, 2.5],
        "n_posyandu": [3, 2, 3, 1, 1],
        "posyandu_deficit": [1.0, 4.0, 0.0, NAN, 2.0],  # 2.5 dusun -> 3 needed, 1 there
    })
    out = posyandu_shortfall(desa)
    assert list(out["code"]) == ["d2", "d5", "d1"]
    assert list(out["posyandu_deficit"]) == [4.0, 2.0, 1.0]
    assert list(out["posyandu_needed"]) == [6.0, 3.0, 4.0]
    assert shortfall_summary(desa) == {"desa_short": 3, "posyandu_lacking": 7.0,
                                       "desa_unknown": 1}


def test_status_of_every_declared_decided_and_reached_stratum():
    from itertools import product

    from ilp_gis.posyandu import LEVELS, RANK, _statuses

    def one(dec, lv, low):  # the rule row by row
        if dec is None:
            return "no_stratum"
        if lv is not None:
            return "agrees" if dec == lv else (
                "above_criteria" if RANK[dec] > RANK[lv] else "below_criteria")
        if RANK[dec] < RANK[low]:
            return "below_criteria"
        return "agrees" if dec == low else "unverifiable"

    # the stratum the criteria decide is at least the one surely reached
    cases = [(d, lv, low) for d, lv, low in product((None, *LEVELS), (None, *LEVELS), LEVELS)
             if lv is None or RANK[lv] >= RANK[low]]
    got = _statuses(*map(list, zip(*cases, strict=True)))
    assert got == [one(*c) for c in cases]
    assert got[cases.index(("madya", None, "pratama"))] == "unverifiable"
    assert got[cases.index(("madya", "purnama", "pratama"))] == "below_criteria"


def test_a_declared_stratum_the_list_does_not_know_is_no_stratum_and_names_come_joined():
    f = _posyandu([
        ("A", "Madya", 12, 6, 0.3, 0.1),   # not the stratum's own spelling: none declared
        ("B", "utama", 12, 6, 0.3, 0.1),   # no such stratum
        ("C", "madya", 4, 3, NAN, NAN),    # both Madya criteria fail: named in their order
        ("D", "purnama", NAN, NAN, NAN, NAN),  # every figure missing: Madya's two lacked
    ])
    c = strata_check(f, default_rules()).set_index("fac_id")
    assert c["status"].to_dict() == {"A": "no_stratum", "B": "no_stratum",
                                     "C": "above_criteria", "D": "unverifiable"}
    assert pd.isna(c.loc["A", "declared"]) and pd.isna(c.loc["B", "declared"])
    assert c.loc["A", "criteria_level"] == "madya"  # 12 sessions, 6 kader; 30 % < 50 %
    assert c.loc["C", "failed"] == "sessions_per_year;kader" and c.loc["C", "missing"] == ""
    assert c.loc["D", "missing"] == "sessions_per_year;kader" and c.loc["D", "failed"] == ""
    assert pd.isna(c.loc["D", "criteria_level"]) and c.loc["D", "criteria_at_least"] == "pratama"
    assert str(c["status"].dtype) == "str"  # stored as text, like every text column
