"""The Posyandu strata, the Posyandu shortfall per desa and the lokus ILP in every output: the PDF
section "Posyandu dan lokus ILP", the XLSX sheets "Strata Posyandu", "Kekurangan Posyandu" and
"Lokus ILP", and what they say when an input was never loaded.

The district is ``tiny_project`` (12 desa, 13 Posyandu, one Puskesmas) with hand-set Posyandu
figures; every expected number is worked out below from those figures.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
import pytest

from ilp_gis.i18n import language
from reports.pdf import build_report
from reports.posyandu_lokus import posyandu_lokus
from reports.xlsx_tables import write_tables
from tests.reports.fixtures import make_result, tiny_project
from tests.reports.helpers import pdf_text

DATE = dt.date(2026, 11, 23)


def _project(*, lokus: bool = True):
    """Every Posyandu holds 12 sessions a year, 60 % coverage and 10 % dana sehat: with
    ≥ 5 kader it reaches Purnama (Mandiri needs 50 % dana sehat), with fewer only Pratama
    (Madya needs 5 kader).  kader = 3 + k % 4 and declared = (pratama, madya, purnama)[k % 3]:

    k  kader criteria  declared  status
    0  3     pratama   pratama   agrees
    1  4     pratama   madya     above
    2  5     purnama   purnama   agrees
    3  6     purnama   pratama   below
    4  3     pratama   madya     above
    5  4     pratama   purnama   above
    6  5     purnama   pratama   below
    7  6     purnama   madya     below
    8  3     pratama   purnama   above
    9  4     pratama   pratama   agrees
    10 5     purnama   madya     below
    11 6     purnama   purnama   agrees
    12 3     pratama   pratama   agrees
    → 5 agree, 4 above, 4 below.
    """
    p = tiny_project()
    fac = p.facilities.copy()
    posy = fac["type"] == "posyandu"
    fac.loc[posy, "sessions_per_year"] = 12.0
    fac.loc[posy, "program_coverage"] = 0.6
    fac.loc[posy, "dana_sehat"] = 0.1
    if lokus:
        pk = fac["type"] == "puskesmas"
        fac["ilp_lokus"] = pd.Series(None, index=fac.index, dtype=object)
        fac.loc[pk, "ilp_lokus"] = True
        fac["lokus_sk_number"] = pd.Series(None, index=fac.index, dtype=object)
        fac.loc[pk, "lokus_sk_number"] = "440/7/SK/2024"
        fac["lokus_sk_date"] = pd.Series(None, index=fac.index, dtype=object)
        fac.loc[pk, "lokus_sk_date"] = "2024-01-05"
    p.layers["facilities"] = fac
    return p


# Posyandu per desa (tiny_project puts them in desa 0,0,1,2,2,3,4,6,6,7,9,10,11) against
# dusun_count 3 + n % 3 (desa 7 has none): the deficits are
# desa: 0  1  2  3  4  5  6  7   8  9  10 11
#       1  3  3  2  3  5  1  NaN 5  2  3  4   → 11 desa short, 32 Posyandu, 1 desa unknown.
SHORT_DESA, LACKING = 11, 32


@pytest.fixture(scope="module")
def district():
    p = _project()
    return p, make_result(p)


def test_the_tables_hold_the_worked_out_figures(district):
    p, r = district
    pl = posyandu_lokus(p, r)
    s = pl.strata_summary
    assert (s["posyandu"], s["agrees"], s["above_criteria"], s["below_criteria"]) == \
        (13, 5, 4, 4)
    row = pl.strata.set_index("name").loc["Posyandu Melati 2"]  # k = 1
    assert row["status"] == "above_criteria"
    assert row["why"] == "Tercatat Madya, menurut kriteria Pratama: kader bertugas kurang dari 5"
    assert pl.shortfall_summary == {"desa_short": SHORT_DESA, "posyandu_lacking": LACKING,
                                    "desa_unknown": 1}
    top = pl.shortfall.head(2)
    assert sorted(top["name"]) == ["Pulau Kecil", "Sidomulyo"]  # desa 8 and 5 lack 5 each
    assert top["posyandu_deficit"].tolist() == [5, 5]
    lk = pl.lokus.iloc[0]
    assert (lk["lokus"], lk["status"], lk["sk_numbers"]) == (1, "too_few", "440/7/SK/2024")
    assert lk["sk_dates_label"] == "5 Januari 2024"
    assert pl.strata_missing == pl.lokus_missing == pl.shortfall_missing == []


def test_the_plan_report_has_the_section(district, tmp_path):
    p, r = district
    out = build_report(p, r, tmp_path / "plan.pdf", kind="plan", date=DATE)
    text = " ".join(pdf_text(out).split())
    assert "Posyandu dan lokus ILP" in text
    assert "13 Posyandu: 5 sesuai kriteria, 4 di atas kriteria, 4 di bawah kriteria" in text
    assert "Strata yang tidak sesuai kriteria (8)" in text  # 4 above + 4 below
    assert "kader bertugas kurang dari 5" in text
    assert "440/7/SK/2024" in text and "5 Januari 2024" in text
    assert "kurang dari panduan (5–10 lokus)" in text
    assert "11 desa/kelurahan kekurangan Posyandu, seluruhnya 32 Posyandu" in text
    assert "1 desa/kelurahan tanpa jumlah dusun/RW tidak dapat diperiksa" in text


def test_the_english_report_says_the_same_in_english(district, tmp_path):
    p, r = district
    out = build_report(p, r, tmp_path / "plan_en.pdf", kind="summary", date=DATE, lang="en")
    text = " ".join(pdf_text(out).split())
    assert "Posyandu and ILP lokus" in text
    assert "13 Posyandu: 5 agree with the criteria, 4 above the criteria" in text
    assert ("Declared Madya (intermediate), by the criteria Pratama (basic): fewer than 5 kader"
            " on duty") in text
    assert "11 desa/kelurahan are short of Posyandu, 32 Posyandu in all" in text


def _sheet(path, title):
    ws = openpyxl.load_workbook(path, read_only=True)[title]
    rows = list(ws.iter_rows(values_only=True))
    # the totals row the shared writer closes a sheet with is not a data row
    return rows[0], [r for r in rows[1:] if not any(
        isinstance(v, str) and v.startswith("Jumlah (") for v in r)]


def test_the_workbook_has_the_three_sheets(district, tmp_path):
    p, r = district
    path = write_tables(p, r, tmp_path / "t.xlsx")
    head, rows = _sheet(path, "Strata Posyandu")
    assert len(rows) == 13
    status = [row[head.index("Hasil pemeriksaan")] for row in rows]
    assert status[:8].count("di atas kriteria") == 4 and status[:8].count(
        "di bawah kriteria") == 4  # the discrepancies first
    head, rows = _sheet(path, "Kekurangan Posyandu")
    assert len(rows) == SHORT_DESA
    assert sum(row[head.index("Kekurangan Posyandu")] for row in rows) == LACKING
    head, rows = _sheet(path, "Lokus ILP")
    assert len(rows) == 1
    row = dict(zip(head, rows[0], strict=True))
    assert (row["Lokus"], row["Nomor SK"], row["Tanggal SK"]) == (1, "440/7/SK/2024",
                                                                    "5 Januari 2024")
    assert row["Panduan jumlah lokus"] == "kurang dari panduan (5–10 lokus)"


def test_missing_inputs_say_which_input_not_zero(tmp_path):
    p = _project(lokus=False)
    fac = p.facilities
    p.layers["facilities"] = fac[fac["type"] != "posyandu"].reset_index(drop=True)
    r = make_result(p)
    pl = posyandu_lokus(p, r)
    assert pl.strata_missing == ["posyandu"]
    assert pl.lokus_missing == ["lokus"]
    out = build_report(p, r, tmp_path / "plan.pdf", kind="summary", date=DATE)
    text = " ".join(pdf_text(out).split())
    section = text[text.index("Posyandu dan lokus ILP", text.index("Jejaring Puskesmas")):]
    assert "tidak ada data — muat daftar Posyandu" in section
    assert "tidak ada data — muat penetapan lokus ILP pada daftar Puskesmas" in section
    assert "0 sesuai kriteria" not in section
    path = write_tables(p, r, tmp_path / "t.xlsx")
    for title in ("Strata Posyandu", "Kekurangan Posyandu", "Lokus ILP"):
        _head, rows = _sheet(path, title)
        assert len(rows) == 1, title
        assert any(isinstance(v, str) and v.startswith("tidak ada data — muat") for v in rows[0])


def test_a_declared_stratum_never_loaded_is_named(tmp_path):
    p = _project()
    fac = p.facilities.copy()
    fac["level"] = None
    p.layers["facilities"] = fac
    with language("en"):
        pl = posyandu_lokus(p, make_result(p))
    assert pl.strata_missing == ["posyandu_strata"]
