"""The dashboard's Posyandu strata, Posyandu shortfall and lokus ILP cards read the summary of
the analysis (and the lokus table for the decree); a card whose input was never loaded says
"tidak ada data" and what to load, never 0."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ilp_gis.inputs import INPUTS, Inventory
from ui.dashboard import posyandu_lokus_kpis

SUMMARY = {
    "desa_total": 12,
    "posyandu_strata": {"posyandu": 13, "agrees": 5, "above_criteria": 4, "below_criteria": 4,
                        "unverifiable": 0, "no_stratum": 0},
    "posyandu_shortfall": {"desa_short": 11, "posyandu_lacking": 32.0, "desa_unknown": 1},
    "lokus": {"kabupaten": 1, "ok": 0, "too_few": 1, "too_many": 0, "unknown": 0, "lokus": 1,
              "lokus_without_sk": 0, "lokus_without_sk_date": 0},
}
LOKUS = pd.DataFrame([{"kabupaten_code": "53.10", "status": "too_few", "lokus": 1,
                       "sk_numbers": "440/7/SK/2024", "sk_dates": "2024-01-05"}])


def _cards(inputs):
    res = SimpleNamespace(summary=SUMMARY, lokus=LOKUS)
    return {k: (v, d) for k, v, d, _s in posyandu_lokus_kpis(res, inputs)}


def test_the_three_cards_show_the_summary_figures():
    cards = _cards(Inventory.everything())
    assert cards["ui.dash.k.strata"] == (
        "5 dari 13", "4 di atas kriteria, 4 di bawah kriteria, 0 tidak dapat diperiksa")
    assert cards["ui.dash.k.shortfall"][0] == "11"
    assert "kurang 32 Posyandu" in cards["ui.dash.k.shortfall"][1]
    value, detail = cards["ui.dash.k.lokus"]
    assert value == "1"
    assert "kurang dari panduan (5–10 lokus)" in detail
    assert "SK 440/7/SK/2024, 5 Januari 2024" in detail


def test_a_card_without_its_input_says_what_to_load():
    present = {n: True for n in INPUTS}
    present.update(lokus=False, dusun_rw=False)
    cards = _cards(Inventory(present))
    assert cards["ui.dash.k.lokus"] == (
        "tidak ada data", "muat penetapan lokus ILP pada daftar Puskesmas (kolom lokus, nomor"
        " dan tanggal SK)")
    assert cards["ui.dash.k.shortfall"][0] == "tidak ada data"
    assert "jumlah dusun/RW per desa" in cards["ui.dash.k.shortfall"][1]
    assert cards["ui.dash.k.strata"][0] == "5 dari 13"


def test_the_desa_with_pustu_card_counts_the_desa_that_need_one():
    # 284 desa, 16 of them served by their own Puskesmas (need no Pustu), 130 of the other
    # 268 without a Pustu: 138 of 268 — the plan report's "desa dengan Pustu" figure
    from ui.dashboard import kpis

    res = SimpleNamespace(summary={"desa_total": 284, "desa_without_pustu": 130,
                                   "desa_pustu_not_required": 16},
                          desa=pd.DataFrame({"code": ["X"]}), gaps=None, lokus=None)
    cards = {k: (v, d) for k, v, d, _s in kpis(res, Inventory.everything())}
    value, detail = cards["ui.dash.k.desa_pustu"]
    assert value == "51,5%"
    assert detail.startswith("138 dari 268")
    assert "16 desa dilayani Puskesmas-nya sendiri" in detail
