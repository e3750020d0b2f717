"""The app state without Qt: selection, layer settings, thematic legend and pure facility edits."""

from __future__ import annotations

import math

import pytest

from ui.state import AppState, key_of

from .conftest import fake_analyze, make_project


def test_selection_emits_once_and_dedups(state):
    seen = []
    state.selection_changed.connect(lambda layer, keys: seen.append((layer, keys)))
    state.select("facilities", ["pst1", "pst1", "pkm1"])
    state.select("facilities", ["pst1", "pkm1"])  # same selection: no second event
    assert seen == [("facilities", ("pst1", "pkm1"))]
    state.clear_selection()
    assert seen[-1] == ("", ())


def test_layer_settings_validate_and_reorder(state):
    with pytest.raises(ValueError, match="1.5"):
        state.set_opacity("desa", 1.5)
    state.move_layer("desa", 0)
    assert state.layer_settings[0].name == "desa"
    state.set_visible("roads", False)
    assert state.setting("roads").visible is False


def test_thematic_legend_colours_every_desa_and_keeps_missing_grey(state):
    from layers.symbology import NO_DATA_COLOUR

    assert "population" in state.thematic_fields()
    state.set_thematic("population", "natural")
    legend = state.thematic_legend()
    assert set(legend.colours) == set(key_of(state.result.desa, "desa"))
    # Desa E has no population figure: it stays "no data", never a class.
    assert legend.colours["35.07.02.2002"] == NO_DATA_COLOUR
    assert len(legend.labels) == len(legend.palette) >= 2


def test_edits_return_new_frames_and_never_touch_the_project(state):
    before = state.project.facilities.copy()
    added = state.with_facility_added({"lon": 112.605, "lat": -8.085, "type": "pustu",
                                       "name": "Pustu Baru", "parent_id": "pkm1"})
    assert len(added) == len(before) + 1
    new = added.iloc[-1]
    assert new["desa_code"] == "35.07.01.2001" and new["kecamatan_code"] == "35.07.01"
    assert new["fac_id"].startswith("baru-")
    moved = state.with_facility_moved("psy5", 112.605, -8.085)
    row = moved[moved["fac_id"] == "psy5"].iloc[0]
    assert math.isclose(row.geometry.x, 112.605) and row["desa_code"] == "35.07.01.2001"
    deleted = state.with_facility_deleted("psy5")
    assert "psy5" not in set(deleted["fac_id"])
    with pytest.raises(ValueError, match="klinik"):
        state.with_facility_value("psy5", "type", "klinik")
    with pytest.raises(ValueError, match="nope"):
        state.with_facility_value("psy5", "parent_id", "nope")
    assert state.project.facilities.equals(before)


def test_stale_analysis_result_is_refused():
    p = make_project()
    st = AppState(p, analyze_fn=fake_analyze, load_result_fn=lambda _p: None)
    job = st.analysis_job()
    st.set_facilities(st.with_facility_deleted("psy5"))  # an edit while the job "runs"
    revision, result = job()
    assert st.set_result(result, revision) is False
    assert st.result is None
    revision, result = st.analysis_job()()
    assert st.set_result(result, revision) is True and st.result_is_current


@pytest.mark.parametrize("layer", ["kabupaten", "kecamatan", "desa", "facilities", "roads",
                                   "settlements", "budget"])
def test_every_stored_column_has_an_attribute_table_header(layer):
    """The attribute table never shows a raw column name ("declared_kecamatan_code"): every
    column of the data model has a header in both languages."""
    from ilp_gis import model
    from ilp_gis.i18n import language
    from ui.state import field_label

    for lang in ("id", "en"):
        with language(lang):
            raw = [c.name for c in model.LAYERS[layer].columns if field_label(c.name) == c.name]
            assert raw == [], (lang, raw)
