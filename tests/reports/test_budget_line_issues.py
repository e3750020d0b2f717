"""A budget line used against its funding rule, or of a later budget year without being
multi-year, is reported in the PDF and the XLSX; a multi-year line is not, and its action is
phased over its years.

Hand-made lines on ``tiny_project`` (a new Pustu costs Rp 1.5 billion, ``cost.build_pustu``):

- L1 Dana Desa, TA 2026, build a Pustu in Tanjungsari: Dana Desa may not pay for buildings
  (``eligibility.dana_desa``, enforced) → "ineligible", funds nothing: the action stays unfunded.
- L2 DAK Fisik TA 2026 Rp 0.5 bn + L3 DAK Fisik TA 2027 Rp 1.0 bn, not multi-year, for
  Karangrejo: the action's year is 2026 (its earliest line), so L3 funds nothing → "wrong_year";
  the action is partly funded (Rp 0.5 bn of 1.5 bn).
- L4 DAK Fisik TA 2026 Rp 0.5 bn + L5 DAK Fisik TA 2027 Rp 1.0 bn multi-year for Sidomulyo:
  both count → funded, no issue; the phasing puts Rp 0.5 bn on 2026 and Rp 1.0 bn on 2027.
- L6 DAK Non-Fisik TA 2026 kader training in Pulau Kecil, a desa without any Posyandu (so no
  kader gap): an eligible line that reaches no gap → "no_gap", listed as unused.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from ilp_gis.budget import budget_sync
from reports.pdf import build_report
from reports.xlsx_tables import write_tables
from tests.reports.fixtures import make_result, tiny_project
from tests.reports.helpers import pdf_text

TANJUNGSARI, KARANGREJO, SIDOMULYO = "53.10.01.2004", "53.10.01.2005", "53.10.01.2006"
PULAU_KECIL = "53.10.02.2009"


@pytest.fixture(scope="module")
def district():
    p = tiny_project()
    p.layers["budget"] = pd.DataFrame([
        {"budget_id": "L1", "source": "dana_desa", "year": 2026, "activity": "build_pustu",
         "target_desa": TANJUNGSARI, "amount": 300e6, "status": "usulan", "multi_year": False},
        {"budget_id": "L2", "source": "dak_fisik", "year": 2026, "activity": "build_pustu",
         "target_desa": KARANGREJO, "amount": 500e6, "status": "usulan", "multi_year": False},
        {"budget_id": "L3", "source": "dak_fisik", "year": 2027, "activity": "build_pustu",
         "target_desa": KARANGREJO, "amount": 1000e6, "status": "usulan", "multi_year": False},
        {"budget_id": "L4", "source": "dak_fisik", "year": 2026, "activity": "build_pustu",
         "target_desa": SIDOMULYO, "amount": 500e6, "status": "usulan", "multi_year": False},
        {"budget_id": "L5", "source": "dak_fisik", "year": 2027, "activity": "build_pustu",
         "target_desa": SIDOMULYO, "amount": 1000e6, "status": "usulan", "multi_year": True},
        {"budget_id": "L6", "source": "dak_non_fisik", "year": 2026, "activity": "train_kader",
         "target_desa": PULAU_KECIL, "amount": 20e6, "status": "usulan", "multi_year": False},
    ])
    return p, make_result(p)


def test_the_sync_finds_the_worked_out_issues(district):
    p, r = district
    sync = budget_sync(p, r)
    issue = dict(zip(sync.lines["budget_id"], sync.lines["issue"], strict=True))
    assert issue == {"L1": "ineligible", "L2": "", "L3": "wrong_year", "L4": "", "L5": "",
                     "L6": "no_gap"}
    a = sync.actions
    acts = a[a["activity"] == "build_pustu"].set_index("desa_code")
    assert acts.loc[TANJUNGSARI, "funding_state"] == "unfunded"
    assert (acts.loc[KARANGREJO, "funding_state"], acts.loc[KARANGREJO, "amount"]) == \
        ("partly", 500e6)
    assert acts.loc[SIDOMULYO, "funding_state"] == "funded"
    ph = sync.phasing.set_index("year")["amount"]
    assert (ph.loc[2026], ph.loc[2027]) == (1000e6, 1000e6)  # L2 + L4 in 2026, L5 in 2027


def test_the_pdf_lists_the_lines_with_their_issue(district, tmp_path):
    p, r = district
    text = " ".join(pdf_text(build_report(p, r, tmp_path / "plan.pdf", kind="plan")).split())
    part = text[text.index("Baris anggaran bermasalah atau tidak terpakai (3)"):]
    assert "L1 Dana Desa/APBDes 2026 Bangun Pustu Rp 300.000.000 Menurut aturan sumber dana" \
        in part
    assert "L3 DAK Fisik 2027 Bangun Pustu Rp 1.000.000.000" in part
    assert "L5 DAK Fisik" not in part[:part.index("Aksi belum didanai")]
    assert "L6 DAK Non-Fisik 2026" in part
    assert "Tidak menjangkau kesenjangan mana pun (tidak terpakai)" in part
    assert "Pentahapan per tahun anggaran" in text


def test_the_xlsx_says_the_issue_on_the_line(district, tmp_path):
    p, r = district
    ws = openpyxl.load_workbook(write_tables(p, r, tmp_path / "t.xlsx"),
                                read_only=True)["Daftar baris anggaran"]
    rows = list(ws.iter_rows(values_only=True))
    head = rows[0]
    by_id = {row[0]: dict(zip(head, row, strict=True)) for row in rows[1:]}
    assert by_id["L1"]["Masalah baris"].startswith("Menurut aturan sumber dana")
    assert by_id["L1"]["Untuk kesenjangan (Rp)"] == 0
    assert by_id["L3"]["Masalah baris"]  # the wrong-year text
    assert by_id["L3"]["Untuk kesenjangan (Rp)"] == 0
    assert by_id["L5"]["Masalah baris"] is None
    assert by_id["L5"]["Untuk kesenjangan (Rp)"] == 1_000_000_000
    assert by_id["L6"]["Masalah baris"].startswith("Tidak menjangkau kesenjangan")
    assert by_id["L6"]["Untuk kesenjangan (Rp)"] == 0
