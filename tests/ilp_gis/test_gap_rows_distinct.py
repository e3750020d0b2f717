"""No two rows of one desa read alike (issue 13): the same gap found twice is kept once, and two
facilities of one desa sharing a name are told apart by their ID; worked out on the five-desa
micro district."""

from __future__ import annotations

import pandas as pd

from ilp_gis.analysis import analyze
from ilp_gis.gaps import distinct_rows
from ilp_gis.i18n import language
from tests.ilp_gis.micro import facilities_frame, facility_rows, make_project

A1 = "35.07.01.2001"


def _twin_posyandu_case():
    rows = facility_rows()
    # A1 already holds "Posyandu Melati" (3 kader); a second Posyandu of that name, also 3 kader
    rows.append(dict(fac_id="PY_A1c", name="Posyandu Melati", type="posyandu", xy=(2.5, 3.5),
                     kader=3.0))
    return make_project(facilities=facilities_frame(rows))


def test_two_posyandu_of_one_name_give_two_rows_that_say_which():
    with language("id"):
        res = analyze(_twin_posyandu_case())
    k = res.gaps[(res.gaps["kind"] == "kader_deficit") & (res.gaps["desa_code"] == A1)]
    # both Posyandu Melati of A1 have 3 of 5 kader: two gaps, one per facility
    assert sorted(k["fac_id"]) == ["PY_A1b", "PY_A1c"]
    assert k["message"].nunique() == 2
    by_id = k.set_index("fac_id")["message"]
    assert by_id["PY_A1b"].endswith("[PY_A1b]") and by_id["PY_A1c"].endswith("[PY_A1c]")
    # no row anywhere repeats another of its desa
    g = res.gaps
    assert not g.duplicated(["desa_code", "kind", "message"]).any()


def test_a_unique_name_keeps_its_plain_message():
    with language("id"):
        res = analyze(make_project())
    k = res.gaps[(res.gaps["kind"] == "kader_deficit") & (res.gaps["desa_code"] == A1)]
    assert list(k["fac_id"]) == ["PY_A1b"]
    assert "[" not in k["message"].iloc[0]


def test_the_same_gap_found_twice_is_kept_once():
    row = dict(kind="beyond_distance", desa_code=A1, kecamatan_code="35.07.01", fac_id=None,
               limit_type="puskesmas", threshold=10.0, message="A1: 11 km", value=11.0)
    other = dict(row, limit_type="pustu", threshold=5.0, message="A1: 6 km", value=6.0)
    out = distinct_rows(pd.DataFrame([row, other, dict(row)]))
    assert len(out) == 2
    assert sorted(out["limit_type"]) == ["puskesmas", "pustu"]


def test_alike_rows_are_told_by_value_missing_values_alike_and_signed_zeros_apart():
    import numpy as np

    base = dict(kind="no_pustu", desa_code="D1", kecamatan_code="K1", fac_id=None,
                limit_type=None, message="Desa D1 tanpa Pustu")
    gaps = pd.DataFrame([
        {**base, "threshold": np.nan},
        {**base, "threshold": np.nan, "fac_id": np.nan},  # missing either way: the same gap
        {**base, "threshold": 0.0},
        {**base, "threshold": -0.0},  # reads "-0.0": another row
        {**base, "threshold": 0.0, "message": "Desa D1 tanpa Pustu (2)"},
        {**base, "threshold": 0.0},  # the third row again
    ])
    out = distinct_rows(gaps)
    assert len(out) == 4
    assert [str(t) for t in out["threshold"]] == ["nan", "0.0", "-0.0", "0.0"]
    assert out["message"].tolist()[-1] == "Desa D1 tanpa Pustu (2)"
