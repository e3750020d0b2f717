"""The kecamatan desa table explains its marks and names each gap once (issue 13): a desa whose
Pustu count includes a Poskesdes reads "1 (1*)" and the page says what * means; its gap column
lists the gap labels (type and limit), none twice."""

from __future__ import annotations

import subprocess

from ilp_gis.analysis import analyze
from ilp_gis.i18n import language
from reports.pdf import build_report
from tests.ilp_gis.micro import facilities_frame, facility_rows, make_project


def test_precursor_mark_is_explained_and_gap_labels_are_distinct(tmp_path):
    rows = facility_rows()
    # B2 ([4,8]x[4,8]) gets a Poskesdes: a Pustu precursor, counted "1 (1*)", still no Pustu
    rows.append(dict(fac_id="PKD_B2", name="Poskesdes B2", type="pustu", xy=(6, 5),
                     precursor=True))
    project = make_project(facilities=facilities_frame(rows))
    with language("id"):
        result = analyze(project)
        d = result.desa.set_index("name")
        assert d.loc["B2", "n_pustu"] == 1 and d.loc["B2", "n_pustu_precursor"] == 1
        assert not d.loc["B2", "has_pustu"]
        pdf = build_report(project, result, tmp_path / "plan.pdf", kind="plan", lang="id")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    b2 = [ln for ln in text.splitlines() if ln.startswith("B2 ")]
    assert len(b2) == 1 and "1 (1*)" in b2[0]
    assert "bertanda * = Poskesdes/Polindes" in text
    # B2 lacks a Pustu: the no-Pustu label in its row once
    assert b2[0].count("Desa tanpa Pustu") == 1
