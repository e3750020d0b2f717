"""The import dialog asks: a new project, or add to the open one.  Real data never goes into
the fictional sample: while the sample is open the import makes a new project, and neither the
sample's title nor its "DATA FIKTIF" mark stays on the imported data."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from ilp_gis import model

SAMPLE_TITLE = "Kabupaten Contoh (data fiktif)"


def _sample_like(project):
    """The tiny project marked as the fictional sample (as ``generate_sample`` marks it)."""
    project.meta.update({model.META_FICTIONAL: "true", model.META_TITLE: SAMPLE_TITLE})
    project.dirty = False
    return project


def _desa_file(project, path):
    """Desa boundaries of another district, as a planner's own file."""
    desa = project.desa[["code", "name", "kecamatan_code", "population", "geometry"]].copy()
    desa["code"] = desa["code"].str.replace("35.07", "15.03", regex=False)
    desa["kecamatan_code"] = desa["kecamatan_code"].str.replace("35.07", "15.03", regex=False)
    desa["name"] = "Nyata " + desa["name"]
    desa.rename(columns={"code": "kode_desa", "name": "nama_desa",
                         "population": "penduduk"}).to_file(path, driver="GeoJSON")
    return path


def test_import_while_the_sample_is_open_makes_a_new_project(qtbot, window, tmp_path,
                                                             shown_errors):
    from ui.import_dialog import ImportDialog

    sample = _sample_like(window.state.project)
    window.set_project(sample)
    assert window.state.project.fictional
    path = _desa_file(sample, tmp_path / "batas_desa.geojson")
    dlg = ImportDialog(window.state, window, paths=[path])
    qtbot.addWidget(dlg)
    assert dlg.mode == "new"
    assert not dlg.mode_buttons["add"].isEnabled()  # never into the sample
    assert dlg.mode_note.isVisibleTo(dlg) and "fiktif" in dlg.mode_note.text()
    dlg.set_mode("add")  # even if asked for: the sample takes no real data
    assert dlg.mode == "new"
    project, _report = dlg.import_job()()
    assert not project.fictional
    assert model.META_TITLE not in project.meta and project.title != SAMPLE_TITLE
    assert "facilities" not in project.layers or not len(project.facilities)  # none of the sample's
    assert set(project.desa["code"].str[:5]) == {"15.03"}
    assert project.path is None  # never saved over the sample's file
    dlg.project = project
    window.take_import(dlg)
    st = window.state.project
    assert st is project and not st.fictional and st.title != SAMPLE_TITLE
    assert SAMPLE_TITLE not in window.windowTitle()
    assert not shown_errors


def test_a_real_open_project_is_offered_both_and_added_to_by_default(qtbot, window, tmp_path,
                                                                    shown_errors):
    from ui.import_dialog import ImportDialog

    st = window.state
    st.project.meta.pop(model.META_FICTIONAL)  # the planner's own district
    st.project.path = tmp_path / "proyek.gpkg"
    csv = tmp_path / "pustu.csv"
    csv.write_text("nama;lintang;bujur\nPustu Baru;-8,085;112,615\n", encoding="utf-8")
    dlg = ImportDialog(st, window, paths=[csv])
    qtbot.addWidget(dlg)
    assert dlg.mode == "add" and dlg.mode_buttons["add"].isEnabled()
    assert not dlg.mode_note.isVisibleTo(dlg)
    assert st.project.title in dlg.mode_buttons["add"].text()
    added, _ = dlg.import_job()()
    counts = added.facilities["type"].value_counts()
    assert counts["puskesmas"] == 2 and counts["posyandu"] == 5  # the open project's kept
    assert added.facilities.loc[added.facilities["type"] == "pustu", "name"].tolist() == [
        "Pustu Baru"]  # the new list of its type in place of the old one
    assert added.path == st.project.path and added is not st.project
    assert len(st.project.facilities) == 10  # untouched until accepted
    dlg.set_mode("new")
    assert dlg.mode == "new"
    fresh, report = dlg.import_job()()
    assert "desa" not in fresh.layers or not len(fresh.desa)  # nothing of the open project
    assert fresh.path is None
    assert any("[ ]" in line for line in report.checklist)  # says what is still missing
    assert not shown_errors


def test_an_empty_project_only_takes_a_new_one(qtbot, state):
    from ilp_gis.project import Project
    from ui.import_dialog import ImportDialog

    state.set_project(Project())
    dlg = ImportDialog(state, None)
    qtbot.addWidget(dlg)
    assert dlg.mode == "new" and not dlg.mode_buttons["add"].isEnabled()


def test_a_new_project_asks_about_unsaved_work_first(qtbot, window, tmp_path, monkeypatch):
    from ilp_gis.project import Project
    from ui.import_dialog import ImportDialog

    open_project = window.state.project
    open_project.meta.pop(model.META_FICTIONAL)
    open_project.dirty = True
    dlg = ImportDialog(window.state, window)
    qtbot.addWidget(dlg)
    dlg.set_mode("new")
    dlg.project = Project()
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.Cancel)
    window.take_import(dlg)
    assert asked and window.state.project is open_project  # cancel keeps the open work
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Discard)
    window.take_import(dlg)
    assert window.state.project is dlg.project
