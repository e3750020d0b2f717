"""Every yes/no column the analysis stores comes back from the GeoPackage as booleans with the
same values — never the text "False", which reads as true (the per-kecamatan PDF once showed
"2/2 memenuhi" for COE at 54% and 67%).

The district is the one of ``tests.ilp_gis.test_coe`` with an assessment: unit PKM_A meets (4 of
5 indicators), unit PKM_B is below (its shares give 50%), PT_C1 makes no unit (meets empty).
"""

from __future__ import annotations

import pandas as pd
from pandas.api import types as ptypes

from ilp_gis import coe
from ilp_gis.analysis import analyze, store_result
from layers.project_file import open_project, save_project
from tests.ilp_gis.test_coe import INDICATORS, assessment, district


def _is_bool(s: pd.Series) -> bool:
    return ptypes.is_bool_dtype(s.dtype) or isinstance(s.dtype, pd.BooleanDtype)


def _holds_bools(s: pd.Series) -> bool:
    """A boolean column, or an object column whose values are all yes/no (or empty)."""
    if _is_bool(s):
        return True
    values = s.dropna()
    return s.dtype == object and len(values) > 0 and all(
        isinstance(v, bool) for v in values)


def test_every_stored_yes_no_column_round_trips_as_booleans(tmp_path):
    p = district(shares_b=(0.5,) * 5)
    p.meta[coe.META_INDICATORS] = INDICATORS
    p.set_table(coe.ASSESSMENT_TABLE, assessment(
        {"infrastruktur.a": True, "b": True, "kebijakan.c": True, "sdm.d": False, "e": True}))
    store_result(p, analyze(p))
    before = {name: t.copy() for name, t in p.tables.items()}
    back = open_project(save_project(p, tmp_path / "b.gpkg")).tables
    checked = []
    for name, table in before.items():
        for col in table.columns:
            if not _holds_bools(table[col]):
                continue
            got = back[name][col]
            assert _is_bool(got), (name, col, got.dtype)
            want = table[col].astype("boolean").tolist()
            assert got.astype("boolean").tolist() == want, (name, col)
            checked.append((name, col))
    assert ("result_coe", "meets") in checked and ("coe_assessment", "met") in checked
    assert ("result_desa", "has_pustu") in checked
    meets = back["result_coe"].set_index("unit_id")["meets"]
    assert bool(meets["COE-PKM_A"]) is True
    assert bool(meets["COE-PKM_B"]) is False
    assert int(back["result_coe"]["meets"].fillna(False).astype(bool).sum()) == 1
