"""A desa that has a Pustu yet lies beyond the Puskesmas distance limit is hatched "beyond the
distance limit"; the map legend says the limit may be the Puskesmas one (issue 13).  The PDF gap
table lists each gap label of a desa once."""

from __future__ import annotations

from ilp_gis.analysis import analyze
from ilp_gis.i18n import language
from ilp_gis.rules import default_rules
from layers import symbology as sym
from reports.maps.data import prepare_map_data
from reports.maps.legend import legend_items
from reports.pdf.gaps import gap_rows
from tests.ilp_gis.micro import make_project

C1 = "35.07.03.2001"


def test_a_desa_with_a_pustu_beyond_the_puskesmas_limit_is_explained_in_the_legend():
    # C1 ([8,12]x[0,4]) has Pustu C1 at (10,2), its people at (10,2); the nearest Puskesmas is
    # A at (2,2): 8 km, beyond a 5 km Puskesmas limit; Pustu C1 is 0 km away (within 5 km).
    rules = default_rules().with_values(limit__puskesmas_distance_km=5.0)
    project = make_project(rules=rules)
    with language("id"):
        res = analyze(project)
        g = res.gaps[(res.gaps["kind"] == "beyond_distance") & (res.gaps["desa_code"] == C1)]
        assert list(g["limit_type"]) == ["puskesmas"]
        assert bool(res.desa.set_index("code").loc[C1, "has_pustu"])
        data = prepare_map_data(project, res)
        assert data.desa_gap[C1] == "beyond_distance"
        labels = [label for section, label, _ in legend_items(data) if section == "gaps"]
        label = sym.GAP_STYLES["beyond_distance"].label
        assert label in labels
        assert "Puskesmas" in label and "Pustu" in label


def test_pdf_gap_table_lists_each_label_of_a_desa_once():
    project = make_project()
    with language("id"):
        res = analyze(project)
        rows = gap_rows(res.gaps)
    for kinds in rows["kinds"]:
        assert len(kinds) == len(set(kinds))
    # one row per place
    assert rows.index.is_unique
