"""Qt's translation system routed to the one catalogue (:mod:`ilp_gis.i18n`).

:class:`CatalogTranslator` is installed on the application; every widget text is asked from Qt
(``QCoreApplication.translate`` / ``self.tr``) with the catalogue key as source text, and the
translator answers with :func:`ilp_gis.i18n.tr` in the current language.  Qt's own texts
(standard buttons, the file dialog, text-field menus) have no Indonesian translation shipped
with Qt; :data:`QT_TEXTS` routes them to the same catalogue, so no "Cancel" is left in an
Indonesian window.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from ilp_gis import i18n
from ilp_gis.i18n import register_catalog

CONTEXT = "ilp"

_BUTTONS = {"OK": "ok", "Save": "save", "Save All": "save_all", "Open": "open", "&Yes": "yes",
            "Yes to &All": "yes_all", "&No": "no", "N&o to All": "no_all", "Abort": "abort",
            "Retry": "retry", "Ignore": "ignore", "Close": "close", "Cancel": "cancel",
            "Discard": "discard", "Help": "help", "Apply": "apply", "Reset": "reset",
            "Restore Defaults": "restore_defaults"}
_FILE_DIALOG = {"&Look in:": "look_in", "Look in:": "look_in", "File &name:": "file_name",
                "Files of &type:": "file_type", "Files of type:": "file_type",
                "Change to detail view mode": "detail_mode",
                "Change to list view mode": "list_mode", "Create a New Folder": "new_folder",
                "List of places and bookmarks": "places",
                "&Open": "open", "&Save": "save", "Open": "open", "Save As": "save_as",
                "Back": "back", "Forward": "forward", "Parent Directory": "parent",
                "Create New Folder": "new_folder", "List View": "list_view",
                "Detail View": "detail_view", "All Files (*)": "all_files",
                "Directory:": "directory", "&Choose": "choose", "Recent Places": "recent",
                "My Computer": "computer", "Computer": "computer", "New Folder": "new_folder_name",
                "&Rename": "rename", "&Delete": "delete", "Show &hidden files": "hidden",
                "&New Folder": "new_folder_menu", "Find Directory": "find_dir",
                "Are you sure you want to delete '%1'?": "confirm_delete",
                "%1 already exists.\nDo you want to replace it?": "confirm_replace",
                "%1\nFile not found.\nPlease verify the correct file name was given.":
                    "not_found",
                "Go back": "back", "Go forward": "forward", "Go to the parent directory":
                    "parent", "Sidebar": "sidebar", "Files": "files"}
_MODEL = {"Name": "name", "Size": "size", "Type": "type", "Kind": "type",
          "Date Modified": "modified", "File Folder": "folder", "Folder": "folder",
          "Unknown": "unknown", "Drive": "drive", "Shortcut": "shortcut"}
_EDIT = {"&Undo": "undo", "&Redo": "redo", "Cu&t": "cut", "&Copy": "copy", "&Paste": "paste",
         "Delete": "delete", "Select All": "select_all", "Copy &Link Location": "copy_link"}

QT_TEXTS: dict[tuple[str, str], str] = {
    **{("QPlatformTheme", k): f"qt.button.{v}" for k, v in _BUTTONS.items()},
    **{("QFileDialog", k): f"qt.file.{v}" for k, v in _FILE_DIALOG.items()},
    **{(c, k): f"qt.model.{v}" for c in ("QFileSystemModel", "QAbstractFileIconProvider")
       for k, v in _MODEL.items()},
    **{(c, k): f"qt.edit.{v}" for c in ("QLineEdit", "QWidgetTextControl")
       for k, v in _EDIT.items()},
    ("QProgressDialog", "Cancel"): "qt.button.cancel",
    # the undo/redo actions of the undo stack ("Undo Simpan skenario A")
    ("QUndoStack", "Undo %1"): "qt.undo.undo_of", ("QUndoStack", "Redo %1"): "qt.undo.redo_of",
    ("QUndoStack", "Undo"): "qt.undo.undo", ("QUndoStack", "Redo"): "qt.undo.redo",
    ("QMessageBox", "Show Details..."): "qt.box.show_details",
    ("QMessageBox", "Hide Details..."): "qt.box.hide_details",
}
"""Qt's own (context, source text) → catalogue key."""


class CatalogTranslator(QTranslator):
    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401
        if source_text and i18n.has(source_text):
            return i18n.tr(source_text)
        key = QT_TEXTS.get((context, source_text))
        if key is not None:
            return i18n.tr(key)
        return None

    def isEmpty(self) -> bool:  # noqa: N802
        return False


def ui_locale(lang: str | None = None) -> QLocale:
    """Qt's locale for the UI language (spin boxes, validators): Indonesian writes ``5,0``,
    English ``5.0``, as :func:`ilp_gis.i18n.format_number` does for every other number."""
    lang = i18n.normalize_language(lang) if lang else i18n.get_language()
    if lang == "id":
        return QLocale(QLocale.Language.Indonesian, QLocale.Country.Indonesia)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def plain(text: str) -> str:
    """A menu or button text as a title: no mnemonic marks and no trailing dots
    ("Laporan &PDF…" → "Laporan PDF"); a doubled ``&&`` stays one ``&``."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def qtr(key: str, **kwargs: object) -> str:
    """The text of ``key`` through Qt's translator (placeholders filled like ``i18n.tr``)."""
    if kwargs:
        return i18n.tr(key, **kwargs)
    text = QCoreApplication.translate(CONTEXT, key)
    if text == key and i18n.has(key):  # no translator installed (e.g. a bare test)
        return i18n.tr(key)
    return text


register_catalog("ui", "qtext")
