"""One desa total behind "desa dengan Pustu" everywhere (issue 13): the desa that need a Pustu
(a desa whose Puskesmas serves it needs none, rule ``target.pustu_in_puskesmas_desa``).  In a
kecamatan, desa with a Pustu + desa without one = desa that need one, and the share is taken
over those — the same rule as the district's headline figure.

Hand-made kecamatan of five desa:
  D1 has a Pustu; D2 has none; D3 hosts the Puskesmas (needs no Pustu, has none);
  D4 hosts the Puskesmas of a second kecamatan and also has a Pustu (needs none: not counted as
  "a desa that needs a Pustu and has one"); D5 has none.
  → kecamatan K1 = D1, D2, D3: required 2, with 1, without 1, share 1/2;
    kecamatan K2 = D4, D5: required 1 (D5), with 0, without 1, share 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ilp_gis.coverage import rollup_kecamatan
from ilp_gis.indicators import pustu_base, pustu_share


def _desa() -> pd.DataFrame:
    d = pd.DataFrame({
        "code": ["D1", "D2", "D3", "D4", "D5"], "name": ["A", "B", "C", "D", "E"],
        "kecamatan_code": ["K1", "K1", "K1", "K2", "K2"],
        "kecamatan_name": ["Satu", "Satu", "Satu", "Dua", "Dua"],
        "has_pustu": [True, False, False, True, False],
        "pustu_required": [True, True, False, False, True],
        "n_posyandu": [1, 1, 1, 1, 1], "posyandu_needed": [1.0] * 5,
    })
    for col in ("population", "pop_within_pustu_km", "pop_within_puskesmas_km",
                "pop_within_pustu_min", "pop_within_puskesmas_min", "pop_served_capacity"):
        d[col] = np.nan
    return d


def test_with_and_without_add_up_to_the_desa_that_need_a_pustu():
    kec = pd.DataFrame({"code": ["K1", "K2"], "name": ["Satu", "Dua"]})
    fac = pd.DataFrame({"type": ["puskesmas", "puskesmas"], "kecamatan_code": ["K1", "K2"]})
    k = rollup_kecamatan(_desa(), kec, fac).set_index("code")
    assert k["desa_total"].tolist() == [3, 2]
    assert k["desa_pustu_required"].tolist() == [2, 1]
    assert k["desa_with_pustu"].tolist() == [1, 0]
    assert k["desa_without_pustu"].tolist() == [1, 1]
    assert (k["desa_with_pustu"] + k["desa_without_pustu"] == k["desa_pustu_required"]).all()
    assert pustu_share(k.reset_index()).tolist() == [0.5, 0.0]


def test_a_rollup_stored_before_the_rule_counts_every_desa():
    old = pd.DataFrame({"desa_total": [4], "desa_with_pustu": [3]})
    assert pustu_base(old).tolist() == [4]
    assert pustu_share(old).tolist() == [0.75]
