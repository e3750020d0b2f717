"""The GUI import takes per-desa tables (role "Tabel per desa"), joins them like the CLI and
reports which source the analysis will use where a facility list of the same type exists."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt


def test_import_dialog_takes_per_desa_tables(qtbot, state, shown_errors, tmp_path):
    from ui.import_dialog import ImportDialog, guess_role

    table = tmp_path / "rekap_posyandu.csv"
    table.write_text("kode_desa,nama_desa,jumlah_posyandu,jumlah_dusun\n"
                     "35.07.01.2001,Desa A,9,4\n35.07.01.2002,Desa B,-,3\n", encoding="utf-8")
    assert guess_role(table) == ("desa_data", None)
    assert guess_role(tmp_path / "podes.gpkg")[0] != "desa_data"  # boundaries stay boundaries
    state.project.meta.pop("fictional")  # an open real district (the sample takes no real data)
    dlg = ImportDialog(state, None, paths=[table])
    qtbot.addWidget(dlg)
    assert dlg.file_rows()[0][1] == "desa_data"
    dlg.files.selectRow(0)
    labels = {dlg.columns.item(i, 0).data(Qt.UserRole): dlg.columns.cellWidget(i, 1).currentData()
              for i in range(dlg.columns.rowCount())}
    assert labels["count_posyandu"] == "jumlah_posyandu"
    project, report = dlg.import_job()()
    desa = project.desa.set_index("code")
    assert desa.loc["35.07.01.2001", "count_posyandu"] == 9
    assert np.isnan(desa.loc["35.07.01.2002", "count_posyandu"])  # "-" is no data, not 0
    frame = report.frame
    mine = frame[frame["file"] == table.name]
    assert "count_dash" in set(";".join(mine["problem"].dropna()).split(";"))
    # the open project has Posyandu points for this kabupaten: the analysis uses them
    source = mine[mine["problem"] == "count_source"]["message"].tolist()
    assert any(m.startswith("Posyandu: analisis memakai daftar fasilitas untuk 2 desa")
               for m in source)
    assert "count_posyandu" not in state.project.desa or \
        state.project.desa["count_posyandu"].isna().all()  # untouched until accepted
    assert not shown_errors


def test_import_dialog_roles_for_staffing_raster_context_and_the_kabupaten_total(
        qtbot, state, shown_errors, real_malang, tmp_path):
    """Every input the command line takes has a role in the GUI: staffing tables, a population
    raster, context layers, and the kabupaten total spread over the desa (real Malang:
    2,734,623 people in kabupaten.gpkg, no desa figures), all marked estimates."""
    from ui.import_dialog import ImportDialog, guess_role

    assert guess_role(tmp_path / "ketenagaan_pustu.xlsx") == ("staffing", None)
    assert guess_role(tmp_path / "worldpop_2020.tif") == ("population_raster", None)
    assert guess_role(tmp_path / "provinsi.gpkg") == ("context", None)
    files = [real_malang / "kabupaten.gpkg", real_malang / "desa.gpkg",
             real_malang / "puskesmas.gpkg"]
    dlg = ImportDialog(state, None, paths=files)  # the sample is open: a new project
    qtbot.addWidget(dlg)
    assert [r[1] for r in dlg.file_rows()] == ["kabupaten", "desa", "facilities"]
    dlg.spread_total.setChecked(True)
    project, report = dlg.import_job()()
    pop = project.desa["population"]
    assert pop.notna().all() and round(pop.sum()) == 2_734_623
    assert set(project.desa["population_source"]) <= {"estimate_families", "estimate_area"}
    assert not project.fictional
    assert not shown_errors
