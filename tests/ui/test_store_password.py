"""*Buka dari basis data* with a role that must give its password (the throwaway server asks
it with scram-sha-256): the dialog asks for it when none was typed, keeps it in memory only
(never in the project, the settings or a message), asks once more after a refusal with a clear
message, and gives up with the reason after a second refusal or Cancel."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QTimer

from layers.pgstore.connection import PasswordNeeded, StoreLogin, connect
from layers.pgstore.push import push_project
from layers.pgstore.roles import add_role
from tests.layers.pgstore.store_fixtures import login
from tests.ui.conftest import make_project

KAB = "35.07"
SECRET = "Rahasia-2026"


@pytest.fixture
def guarded(pg_cluster, store_url):
    """The tiny district pushed; a team role of its kabupaten that needs ``SECRET``."""
    role = f"tim_sandi_{uuid.uuid4().hex[:8]}"
    with connect(store_url) as conn:
        push_project(conn, make_project())
        add_role(conn, role, kabupaten=KAB, password=SECRET)
    pg_cluster.require_password(role)
    return {"url": login(pg_cluster, store_url, role), "role": role}


def _answer(dialog, answers: list[str | None], seen: list[str]) -> None:
    """Answer each password prompt the dialog opens with the next of ``answers`` (None:
    Cancel), noting the prompt's text."""

    def poll():
        prompt = dialog.password_prompt
        if prompt is None or not prompt.isVisible():
            if answers:
                QTimer.singleShot(10, poll)
            return
        seen.append(prompt.labelText())
        answer = answers.pop(0)
        if answer is None:
            prompt.reject()
        else:
            prompt.setTextValue(answer)
            prompt.accept()
        if answers:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def _dialog(qtbot, parent, url: str):
    from ui.store_open_dialog import StoreOpenDialog

    dialog = StoreOpenDialog(parent)
    qtbot.addWidget(dialog)
    dialog.target.setText(url)
    return dialog


def test_asked_for_and_kept_in_memory_only(qtbot, guarded, window, isolated_settings):
    from ui import app as qtapp

    with pytest.raises(PasswordNeeded) as refused:
        StoreLogin(guarded["url"]).connect()
    assert not refused.value.wrong and refused.value.user == guarded["role"]
    dialog = _dialog(qtbot, window, guarded["url"])
    seen: list[str] = []
    _answer(dialog, ["salah", SECRET], seen)
    assert dialog.connect_store()
    assert len(seen) == 2
    assert "meminta kata sandi pengguna " + guarded["role"] in seen[0]
    assert "ditolak" in seen[1] and "coba sekali lagi" in seen[1]
    assert dialog.login().password == SECRET and dialog.password.text() == ""
    assert guarded["role"] in dialog.status.text()
    window.open_store(dialog.login(), dialog.kabupaten(), wait=True)
    project = window.state.project
    assert window.in_store() and len(project.facilities) == len(make_project().facilities)
    assert SECRET not in " ".join(project.meta.values())
    assert SECRET not in str(qtapp.settings().value("store/target"))
    assert SECRET not in repr(dialog.login()) and SECRET not in window.windowTitle()
    window.state.project.dirty = False


def test_second_refusal_ends_with_the_reason(qtbot, guarded, window):
    dialog = _dialog(qtbot, window, guarded["url"])
    dialog.password.setText("salah-1")  # typed in the form: refused, asked once more
    seen: list[str] = []
    _answer(dialog, ["salah-2"], seen)
    assert not dialog.connect_store()
    assert len(seen) == 1 and "ditolak" in seen[0]
    text = dialog.status.text()
    assert text.startswith("Tidak terhubung:") and "ditolak" in text and guarded["role"] in text
    assert "salah" not in text and dialog.login() is None


def test_cancel_says_the_password_is_missing(qtbot, guarded, window):
    dialog = _dialog(qtbot, window, guarded["url"])
    seen: list[str] = []
    _answer(dialog, [None], seen)
    assert not dialog.connect_store()
    assert len(seen) == 1
    assert "tanpa kata sandi untuk " + guarded["role"] in dialog.status.text()
    assert dialog.login() is None


def test_command_line_names_the_missing_password(guarded, capsys):
    from ui.cli import main

    assert main(["db", "status", guarded["url"]]) == 1
    err = capsys.readouterr().err
    assert "meminta kata sandi pengguna " + guarded["role"] in err and ".pgpass" in err
    assert "Traceback" not in err

