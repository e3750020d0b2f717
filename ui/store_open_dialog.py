"""*Berkas → Buka dari basis data…*: the dialog that reaches the province's shared store (a
libpq URL, a conninfo, a service name of ``.pg_service.conf``; user and password typed in and
kept in memory only; a password the server asks for and was not given is asked for in a small
dialog, once more after a refusal), shows who the store says you are and what you may edit,
and lets you choose the kabupaten (or, for a province analyst, the whole province) to open.
Imports Qt and ``layers.pgstore``."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
)

from ilp_gis.errors import IlpError
from ilp_gis.i18n import register_catalog
from layers.pgstore.connection import PasswordNeeded, StoreError, StoreLogin
from ui.form_rows import field_with_button
from ui.qtext import qtr

PROVINCE = None
"""The area choice "the whole province"."""
WRONG_TRIES = 2
"""Passwords tried before giving up: the one typed, then once more after a refusal."""


class StoreOpenDialog(QDialog):
    """Connect, then choose the area; :meth:`login` and :meth:`kabupaten` give the answer."""

    def __init__(self, parent=None, *, target: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(qtr("ui.store.open.title"))
        self.setMinimumWidth(560)
        self.target = QLineEdit(target)
        self.target.setPlaceholderText(qtr("ui.store.open.target_hint"))
        self.service_file = QLineEdit()
        self.service_file.setPlaceholderText(qtr("ui.store.open.service_file_hint"))
        browse = QPushButton(qtr("ui.store.open.browse"))
        browse.clicked.connect(self._browse)
        service_row = field_with_button(self.service_file, browse)
        self.user = QLineEdit()
        self.user.setPlaceholderText(qtr("ui.store.open.user_hint"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.Password)
        self.password.setPlaceholderText(qtr("ui.store.open.password_hint"))
        self.connect_button = QPushButton(qtr("ui.store.open.connect"))
        self.connect_button.clicked.connect(self.connect_store)
        self.status = QLabel(qtr("ui.store.open.not_connected"))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.area = QComboBox()
        self.area.setEnabled(False)
        form = QFormLayout(self)
        form.addRow(qtr("ui.store.open.target"), self.target)
        form.addRow(qtr("ui.store.open.service_file"), service_row)
        form.addRow(qtr("ui.store.open.user"), self.user)
        form.addRow(qtr("ui.store.open.password"), self.password)
        form.addRow("", self.connect_button)
        form.addRow(self.status)
        form.addRow(qtr("ui.store.open.area"), self.area)
        note = QLabel(qtr("ui.store.open.note"))
        note.setWordWrap(True)
        form.addRow(note)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.Open).setEnabled(False)
        form.addRow(self.buttons)
        self._login: StoreLogin | None = None
        self.password_prompt: QInputDialog | None = None  # while it is asked (tests reach it)
        for edit in (self.target, self.service_file, self.user, self.password):
            edit.textEdited.connect(self._forget)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, qtr("ui.store.open.service_file"), "",
                                              qtr("ui.store.open.service_filter"))
        if path:
            self.service_file.setText(path)
            self._forget()

    def _forget(self, *_args) -> None:
        """A changed connection must be tried again before anything is opened."""
        self._login = None
        self.area.clear()
        self.area.setEnabled(False)
        self.buttons.button(QDialogButtonBox.Open).setEnabled(False)

    def login(self) -> StoreLogin | None:
        return self._login

    def kabupaten(self) -> str | None:
        """The chosen kabupaten code, None for the whole province."""
        return self.area.currentData()

    def connect_store(self) -> bool:
        """Try the connection; on success list the areas this user may open."""
        from layers.pgstore.status import store_status, stored_kabupaten

        self._forget()
        login = StoreLogin(self.target.text().strip(), self.user.text().strip(),
                           self.password.text(), self.service_file.text().strip())
        self.setCursor(Qt.WaitCursor)
        try:
            login, (status, areas) = self._reach(
                login, lambda conn: (store_status(conn), stored_kabupaten(conn)))
        except IlpError as exc:
            self.status.setText(qtr("ui.store.open.failed", why=str(exc)))
            if isinstance(exc, PasswordNeeded) or "password" in str(exc).lower():
                self.password.setFocus()
            return False
        finally:
            self.unsetCursor()
        if not areas:
            self.status.setText(qtr("ui.store.open.no_kabupaten", store=login.label()))
            return False
        own = set(status.kabupaten)
        if status.province:
            self.area.addItem(qtr("ui.store.open.province", n=len(areas)), PROVINCE)
        for code, name in areas:
            mark = qtr("ui.store.open.own") if code in own else ""
            self.area.addItem(qtr("ui.store.open.kabupaten", code=code, name=name, own=mark),
                              code)
        first_own = next((i for i in range(self.area.count()) if self.area.itemData(i) in own),
                         0)
        self.area.setCurrentIndex(first_own)
        scope = qtr("ui.store.open.scope_province") if status.province else (
            qtr("ui.store.open.scope_team", codes=", ".join(status.kabupaten))
            if status.kabupaten else qtr("ui.store.open.scope_read"))
        self.status.setText(qtr("ui.store.open.connected", store=login.label(),
                                user=status.user, scope=scope, version=status.version))
        self.area.setEnabled(True)
        self.buttons.button(QDialogButtonBox.Open).setEnabled(True)
        self._login = login
        return True

    def _reach(self, login: StoreLogin, read):
        """``(login, read(connection))``; when the server asks for a password that was not
        given, it is asked for here (kept in ``login`` in memory, never written anywhere), and
        asked once more after a refusal; a second refusal or Cancel ends with the reason."""
        refused = asked = 0
        while True:
            try:
                with login.connect() as conn:
                    return login, read(conn)
            except PasswordNeeded as exc:
                refused += exc.wrong
                if refused >= WRONG_TRIES or asked > WRONG_TRIES:
                    raise
                asked += 1
                typed = self.ask_password(login, exc)
                if typed is None:
                    raise StoreError(qtr("ui.store.password.cancelled",
                                         user=exc.user or "?", store=login.label())) from exc
                login = dataclasses.replace(login, password=typed)

    def ask_password(self, login: StoreLogin, why: PasswordNeeded) -> str | None:
        """The password of ``why.user`` typed in a small dialog; None when cancelled."""
        prompt = QInputDialog(self)
        prompt.setWindowTitle(qtr("ui.store.password.title"))
        prompt.setInputMode(QInputDialog.TextInput)
        prompt.setTextEchoMode(QLineEdit.Password)
        key = "ui.store.password.again" if why.wrong else "ui.store.password.ask"
        prompt.setLabelText(qtr(key, user=why.user or "?", store=login.label()))
        self.password_prompt = prompt
        self.unsetCursor()
        try:
            if prompt.exec() != QDialog.Accepted:
                return None
            return prompt.textValue()
        finally:
            self.password_prompt = None
            prompt.deleteLater()
            self.setCursor(Qt.WaitCursor)


register_catalog("ui", "store_open_dialog")
