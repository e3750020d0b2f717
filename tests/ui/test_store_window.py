"""The desktop app on the shared store, against the throwaway PostgreSQL + PostGIS server: open a
kabupaten from the database (dialog), edit, save back with the row version; a row someone else
changed meanwhile opens the conflict dialog (keep mine / keep theirs per field) and nothing is
overwritten silently; cancelling writes nothing; a facility's history shows who, when, before
and after; the password typed in is never stored."""

from __future__ import annotations

import psycopg
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialogButtonBox

from layers.pgstore.connection import StoreLogin, connect
from layers.pgstore.edits import KEEP_MINE, KEEP_THEIRS, edit_row, find_rid, read_row
from layers.pgstore.push import ROW_ID, push_project
from layers.pgstore.roles import add_role
from tests.layers.pgstore.store_fixtures import login, role_names
from tests.ui.conftest import fake_analyze, make_project

KAB = "35.07"


@pytest.fixture
def store(pg_cluster, store_url):
    """The tiny district pushed; two team logins of its kabupaten (me, them)."""
    me, them, _ = role_names()
    with connect(store_url) as conn:
        push_project(conn, make_project())
        add_role(conn, me, kabupaten=KAB)
        add_role(conn, them, kabupaten=KAB)
    return {"admin": store_url, "me": login(pg_cluster, store_url, me),
            "them": login(pg_cluster, store_url, them), "my_role": me, "their_role": them}


@pytest.fixture
def store_window(qtbot, isolated_settings, shown_errors):
    from ui.state import AppState
    from ui.window.main_window import MainWindow

    win = MainWindow(AppState(analyze_fn=fake_analyze, load_result_fn=lambda p: None),
                     autosave_minutes=0)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.cancel_tasks()
    qtbot.waitUntil(lambda: not any(t.running for t in win.tasks.values()), timeout=10000)
    win.state.project.dirty = False
    win.undo_stack.setClean()
    win.close()
    win.deleteLater()
    assert shown_errors == []


def _opened(win, url: str):
    win.open_store(StoreLogin(url), KAB, wait=True)
    assert win.in_store()
    return win.state.project


def _value(url: str, fac_id: str, column: str):
    with connect(url) as conn:
        rid, _ = find_rid(conn, "facilities", "fac_id", fac_id)
        return read_row(conn, "facilities", rid)[column]


def _while_dialog_open(qtbot, win, act) -> list[BaseException]:
    """Run ``act(dialog)`` on the conflict dialog once the save opened it."""
    errors: list[BaseException] = []

    def poll():
        dialog = getattr(win, "conflict_dialog", None)
        if dialog is None or not dialog.isVisible():
            QTimer.singleShot(20, poll)
            return
        try:
            act(dialog)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test
            errors.append(exc)
            dialog.reject()

    QTimer.singleShot(0, poll)
    return errors


def test_the_open_dialog_lists_the_teams_kabupaten_and_never_keeps_the_password(
        qtbot, store, store_window):
    from PySide6.QtCore import QSettings

    from ui import app as qtapp
    from ui.store_open_dialog import StoreOpenDialog

    dialog = StoreOpenDialog(store_window)
    qtbot.addWidget(dialog)
    dialog.target.setText(store["me"])
    dialog.password.setText("rahasia-sekali")
    assert not dialog.buttons.button(QDialogButtonBox.Open).isEnabled()
    assert dialog.connect_store()
    assert [dialog.area.itemData(i) for i in range(dialog.area.count())] == [KAB]
    assert dialog.area.itemText(0) == "Kabupaten Uji (35.07) — kabupaten tim Anda"
    assert store["my_role"] in dialog.status.text() and "tim kabupaten 35.07" in \
        dialog.status.text()
    assert dialog.buttons.button(QDialogButtonBox.Open).isEnabled()
    store_window.open_store(dialog.login(), dialog.kabupaten(), wait=True)
    project = store_window.state.project
    assert len(project.facilities) == 10 and project.facilities[ROW_ID].notna().all()
    assert "rahasia" not in " ".join(project.meta.values())
    assert "rahasia" not in str(qtapp.settings().value("store/target"))
    QSettings().sync()
    assert store_window.windowTitle().startswith("Basis data t_")
    assert "Kabupaten Uji (35.07)" in store_window.windowTitle()


def test_a_failed_connection_is_said_in_the_dialog_and_opens_nothing(qtbot, store_window):
    from ui.store_open_dialog import StoreOpenDialog

    dialog = StoreOpenDialog(store_window, target="host=/tidak/ada port=5 dbname=x")
    qtbot.addWidget(dialog)
    assert not dialog.connect_store()
    assert dialog.status.text().startswith("Tidak terhubung: ")
    assert dialog.login() is None
    assert not dialog.buttons.button(QDialogButtonBox.Open).isEnabled()


def test_an_edit_goes_back_to_the_store_with_its_row_version(store, store_window):
    win = store_window
    _opened(win, store["me"])
    assert win.edit_value("pst1", "name", "Pustu Anggrek")
    assert win.isWindowModified()
    assert win.save()
    assert _value(store["admin"], "pst1", "name") == "Pustu Anggrek"
    assert _value(store["admin"], "pst1", "_row_version") == 2
    assert not win.isWindowModified()
    # saved again from the refreshed versions: the second edit is no conflict
    assert win.edit_value("pst1", "nurses", 3)
    assert win.save()
    assert (_value(store["admin"], "pst1", "nurses"), _value(store["admin"], "pst1",
                                                             "_row_version")) == (3, 3)


def test_a_conflict_is_settled_field_by_field_in_the_dialog(qtbot, store, store_window):
    win = store_window
    _opened(win, store["me"])
    with connect(store["them"]) as them:  # meanwhile, the other team member
        rid, version = find_rid(them, "facilities", "fac_id", "pst2")
        edit_row(them, "facilities", rid, version, {"name": "Pustu Mereka", "nurses": 4.0})
    win.edit_value("pst2", "name", "Pustu Saya")
    win.edit_value("pst2", "nurses", 6)
    win.edit_value("pst2", "midwives", 2)  # only I changed it: no conflict, just merged
    seen = {}

    def settle(dialog):
        cells = [[dialog.table.item(r, c).text() if dialog.table.item(r, c) else ""
                  for c in range(3)] for r in range(dialog.table.rowCount())]
        seen["cells"] = cells
        dialog.choose(dialog.conflicts[0], "name", KEEP_THEIRS)
        dialog.choose(dialog.conflicts[0], "nurses", KEEP_MINE)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Apply).click()

    errors = _while_dialog_open(qtbot, win, settle)
    assert win.save()
    assert errors == []
    heading, *lines = seen["cells"]
    assert heading[0] == "Fasilitas: Pustu Mereka (pst2)"
    assert sorted(lines) == [["Nama", "Pustu Saya", "Pustu Mereka"],
                             ["Perawat", "6", "4"]]
    row = read_row(connect(store["admin"]), "facilities",
                   find_rid(connect(store["admin"]), "facilities", "fac_id", "pst2")[0])
    assert (row["name"], row["nurses"], row["midwives"]) == ("Pustu Mereka", 6, 2)
    fac = win.state.project.facilities.set_index("fac_id")
    assert (fac.at["pst2", "name"], fac.at["pst2", "nurses"]) == ("Pustu Mereka", 6)
    assert not win.isWindowModified()


def test_cancelling_the_conflict_dialog_writes_nothing_and_keeps_my_edits(qtbot, store,
                                                                         store_window):
    win = store_window
    _opened(win, store["me"])
    with connect(store["them"]) as them:
        rid, version = find_rid(them, "facilities", "fac_id", "psy1")
        edit_row(them, "facilities", rid, version, {"name": "Posyandu Mereka"})
    win.edit_value("psy1", "name", "Posyandu Saya")
    win.edit_value("psy2", "name", "Posyandu B Baru")  # no conflict, but not sent either
    errors = _while_dialog_open(qtbot, win, lambda dialog: dialog.reject())
    assert not win.save()
    assert errors == []
    assert _value(store["admin"], "psy1", "name") == "Posyandu Mereka"
    assert _value(store["admin"], "psy2", "name") == "Posyandu B1"
    fac = win.state.project.facilities.set_index("fac_id")
    assert (fac.at["psy1", "name"], fac.at["psy2", "name"]) == ("Posyandu Saya",
                                                                 "Posyandu B Baru")
    assert win.isWindowModified()


def test_all_mine_overwrites_theirs_only_when_chosen_and_deleted_rows_are_asked(
        qtbot, store, store_window):
    win = store_window
    _opened(win, store["me"])
    with connect(store["them"]) as them:
        rid, version = find_rid(them, "facilities", "fac_id", "psy3")
        edit_row(them, "facilities", rid, version, {"name": "Posyandu C Mereka"})
        gone, gone_version = find_rid(them, "facilities", "fac_id", "psy5")
        with them.transaction():
            them.execute("DELETE FROM facilities WHERE _rid = %s", (gone,))
    win.edit_value("psy3", "name", "Posyandu C Saya")
    win.edit_value("psy5", "name", "Posyandu F Saya")  # they deleted it meanwhile

    def all_mine(dialog):
        assert len(dialog.conflicts) == 2
        dialog.choose_all(KEEP_MINE)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Apply).click()

    errors = _while_dialog_open(qtbot, win, all_mine)
    assert win.save()
    assert errors == []
    assert _value(store["admin"], "psy3", "name") == "Posyandu C Saya"
    assert _value(store["admin"], "psy5", "name") == "Posyandu F Saya"  # put back, a new row
    assert find_rid(connect(store["admin"]), "facilities", "fac_id", "psy5")[0] != gone


def test_a_facilitys_history_shows_who_when_before_and_after(qtbot, store, store_window):
    from ui.store_history_dialog import HistoryDialog

    win = store_window
    _opened(win, store["me"])
    win.edit_value("pkm1", "name", "Puskesmas Satu Baru")
    assert win.save()
    with connect(store["them"]) as them:
        rid, version = find_rid(them, "facilities", "fac_id", "pkm1")
        edit_row(them, "facilities", rid, version, {"nurses": 9})
    win.state.select("facilities", ["pkm1"])
    name, trail = win.selected_history()
    assert name == "Puskesmas Satu Baru"
    dialog = HistoryDialog(name, trail, win)
    qtbot.addWidget(dialog)
    table = dialog.table
    lines = [[table.item(r, c).text() for c in range(6)] for r in range(table.rowCount())]
    assert [line[1:] for line in lines] == [
        [store["my_role"], "diubah", "Nama", "Puskesmas Satu", "Puskesmas Satu Baru"],
        [store["their_role"], "diubah", "Perawat", "–", "9"]]
    assert all(line[0] for line in lines)  # when: a date and time


def test_history_of_a_file_project_says_where_history_lives(qtbot, monkeypatch,
                                                            store_window):
    shown = []
    monkeypatch.setattr("ui.window.store_io.QMessageBox.information",
                        lambda parent, title, text: shown.append(text))
    store_window.set_project(make_project())
    store_window.state.select("facilities", ["pkm1"])
    assert store_window.selected_history() is None
    assert shown and "basis data bersama" in shown[0]


def test_a_team_cannot_save_into_another_kabupaten(store, store_window, shown_errors):
    """Rights are the database's: a row moved to a kabupaten the team does not hold is
    refused, nothing is written and the edits stay."""
    win = store_window
    _opened(win, store["me"])
    win.edit_value("pst4", "name", "Pustu Tetangga")
    with psycopg.connect(store["admin"]) as conn, conn.transaction():
        conn.execute("UPDATE facilities SET _kab = '35.99' WHERE fac_id = 'pst4'")
    win.edit_value("pst1", "name", "Pustu Sendiri")
    assert not win.save()
    assert len(shown_errors) == 1 and "menolak" in str(shown_errors[0][0]).lower()
    shown_errors.clear()
    assert _value(store["admin"], "pst1", "name") == "Pustu A"
    assert win.isWindowModified()


def test_a_province_analyst_opens_the_whole_province_and_saves_into_it(pg_cluster, store,
                                                                       store_window):
    _, _, analyst = role_names()
    with connect(store["admin"]) as conn:
        add_role(conn, analyst)
    win = store_window
    win.open_store(StoreLogin(login(pg_cluster, store["admin"], analyst)), None, wait=True)
    assert win.in_store() and "seluruh provinsi" in win.windowTitle()
    assert len(win.state.project.facilities) == 10
    win.edit_value("pkm2", "name", "Puskesmas Dua Provinsi")
    assert win.save()
    assert _value(store["admin"], "pkm2", "name") == "Puskesmas Dua Provinsi"


def test_the_menus_offer_the_store(store_window):
    file_menu = store_window.menus["ui.menu.file"].actions()
    edit_menu = store_window.menus["ui.menu.edit"].actions()
    assert store_window.act_open_store in file_menu
    assert store_window.act_open_store.text() == "Buka dari &basis data…"
    assert store_window.act_history in edit_menu


def test_a_location_moved_by_both_is_shown_as_coordinates_and_can_keep_theirs(
        qtbot, store, store_window):
    import shapely

    from layers.pgstore.edits import read_geometry

    win = store_window
    _opened(win, store["me"])
    lon0, lat0 = win.state.facility_position("pst4")
    with connect(store["them"]) as them:
        rid, version = find_rid(them, "facilities", "fac_id", "pst4")
        edit_row(them, "facilities", rid, version,
                 {"geometry": shapely.Point(lon0 + 0.001, lat0)})
    win._on_move_requested("pst4", lon0 + 0.002, lat0 + 0.001)
    seen = {}

    def keep_theirs(dialog):
        seen["cells"] = [[dialog.table.item(1, c).text() for c in range(3)]]
        dialog.choose_all(KEEP_THEIRS)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Apply).click()

    errors = _while_dialog_open(qtbot, win, keep_theirs)
    assert win.save()
    assert errors == []
    from ilp_gis.i18n import format_number

    assert seen["cells"] == [["Lokasi",
                              f"{format_number(lat0 + 0.001, 5)}, {format_number(lon0 + 0.002, 5)}",
                              f"{format_number(lat0, 5)}, {format_number(lon0 + 0.001, 5)}"]]
    with connect(store["admin"]) as conn:
        stored = read_geometry(conn, "facilities", rid)
    assert stored.equals_exact(shapely.Point(lon0 + 0.001, lat0), 1e-9)
    lon, lat = win.state.facility_position("pst4")
    assert (round(lon, 9), round(lat, 9)) == (round(lon0 + 0.001, 9), round(lat0, 9))
    win.state.select("facilities", ["pst4"])
    from ui.store_history_dialog import history_lines

    _, trail = win.selected_history()
    assert [line[3:] for line in history_lines(trail)] == [
        ("Lokasi", f"{format_number(lat0, 5)}, {format_number(lon0, 5)}",
         f"{format_number(lat0, 5)}, {format_number(lon0 + 0.001, 5)}")]


def test_a_facility_added_and_one_deleted_in_the_window_reach_the_store(store, store_window):
    from tests.ui.conftest import LAT0, LON0, STEP
    from ui import commands

    win = store_window
    _opened(win, store["me"])
    record = {"lon": LON0 + 1.5 * STEP, "lat": LAT0 + 0.5 * STEP, "name": "Posyandu Baru",
              "type": "posyandu", "fac_id": "psy9"}
    assert win.push(lambda: commands.add_facility(win.state, record))
    assert win.push(lambda: commands.delete_facility(win.state, "psy2"))
    assert win.save()
    with connect(store["admin"]) as conn:
        rid, version = find_rid(conn, "facilities", "fac_id", "psy9")
        row = read_row(conn, "facilities", rid)
        assert find_rid(conn, "facilities", "fac_id", "psy2") is None
    assert (row["name"], row["desa_code"], row["_kab"], version) == (
        "Posyandu Baru", "35.07.01.2002", KAB, 1)
    fac = win.state.project.facilities.set_index("fac_id")
    assert fac.at["psy9", ROW_ID] == rid and "psy2" not in fac.index


def test_a_server_gone_at_save_time_is_said_and_the_edits_stay(store, store_window,
                                                               shown_errors):
    win = store_window
    _opened(win, store["me"])
    win.edit_value("pst1", "name", "Pustu Tertunda")
    good = win.store_login
    win.store_login = StoreLogin("host=/tidak/ada port=5 dbname=x")
    win.store_project = win.state.project
    assert not win.save()
    assert len(shown_errors) == 1
    assert str(shown_errors[0][0]).startswith("Tidak dapat terhubung ke basis data ")
    shown_errors.clear()
    assert win.isWindowModified()
    assert _value(store["admin"], "pst1", "name") == "Pustu A"
    win.store_login = good  # the server is back: the same edits go through
    assert win.save()
    assert _value(store["admin"], "pst1", "name") == "Pustu Tertunda"


def test_open_reads_in_the_worker_with_progress_per_table(qtbot, store, store_window,
                                                           monkeypatch):
    """The window stays answerable while the store is read: the read runs in a worker that
    reports each table it reads (in the window's language), then the project is shown."""
    seen: list[tuple[float, str]] = []
    real = store_window._on_progress
    monkeypatch.setattr(store_window, "_on_progress",
                        lambda task, f, m: seen.append((f, m)) or real(task, f, m))
    task = store_window.open_store(StoreLogin(store["me"]), KAB)
    assert task is not None
    qtbot.waitUntil(lambda: store_window.in_store(), timeout=20000)
    texts = [m for _f, m in seen]
    assert "membaca dari basis data" in texts
    assert any(m.startswith("membaca Fasilitas (tabel ") for m in texts)
    assert any(m.startswith("membaca Desa/Kelurahan (tabel ") for m in texts)
    fractions = [f for f, _m in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(store_window.state.project.facilities) == 10
