"""The import dialog: pick (or drop) files, say what each one is, check the detected columns
(the mapping is editable), choose a new project or the open one, run the import in a worker,
then read the import report as a table and export it.  The import works on a copy: a failed or
cancelled import changes nothing.  Real data never goes into the fictional sample: while the
sample is open the import always makes a new project."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import has, register_catalog
from ilp_gis.project import Project
from ui.qtext import qtr
from ui.state import AppState, field_label
from ui.table_model import DataFrameModel, FilterProxy
from ui.worker import Task, start

ROLES = ("desa", "kecamatan", "kabupaten", "facilities", "roads", "budget", "desa_data",
         "staffing", "population_raster", "context")
MULTI_ROLES = ("desa_data", "context")
"""Roles of which several files may be given in one import."""
FAC_TYPES = (None, "puskesmas", "pustu", "posyandu")
MODES = ("new", "add")
_FILE_FILTER = ("*.gpkg *.shp *.zip *.geojson *.json *.kml *.kmz *.csv *.txt *.xlsx *.xlsm "
                "*.tif *.tiff")


def default_mode(project: Project) -> tuple[str, bool]:
    """(mode, may add): a new project unless an open project holds real data; data is never
    added to the fictional sample nor to an empty project."""
    can_add = bool(any(len(v) for v in project.layers.values())) and not project.fictional
    return ("add" if can_add else "new"), can_add


def guess_role(path: Path) -> tuple[str, str | None]:
    """(role, facility type) guessed from the file name."""
    n = path.stem.lower()
    if path.suffix.lower() in (".tif", ".tiff"):
        return "population_raster", None
    table = path.suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm")
    if table and any(k in n for k in ("podes", "rekap", "per_desa", "perdesa", "data_desa")):
        return "desa_data", None  # a per-desa table
    if table and any(k in n for k in ("nakes", "ketenagaan", "sdmk", "staff", "tenaga")):
        return "staffing", None
    if any(k in n for k in ("provinsi", "province", "konteks", "context", "outline")):
        return "context", None
    for key, typ in (("puskesmas", "puskesmas"), ("pustu", "pustu"), ("poskesdes", "pustu"),
                     ("polindes", "pustu"), ("posyandu", "posyandu")):
        if key in n:
            return "facilities", typ
    if "anggaran" in n or "budget" in n:
        return "budget", None
    if "jalan" in n or "road" in n:
        return "roads", None
    if "kec" in n:
        return "kecamatan", None
    if "kab" in n or "kota" in n:
        return "kabupaten", None
    if "desa" in n or "kel" in n or "village" in n:
        return "desa", None
    if n.startswith(("fasilitas", "faskes", "facilit")):
        return "facilities", None
    return "desa", None


def import_field_label(role: str, field: str) -> str:
    """The field of an import ``role`` as the person reads it ("Desa tertulis", not
    ``declared_desa``): a label of the role's own (``ui.import.field.<role>.<field>``, where a
    word means something else there, as ``level`` of a context layer), else the field's label
    everywhere in the app (``ui.field.<field>``)."""
    key = f"ui.import.field.{role}.{field}"
    if has(key):
        return qtr(key)
    return field_label(field)


def report_header(column: str) -> str:
    """A column header of the import report table, as in the exported report file."""
    key = f"import.xlsx.col.{column}"
    return qtr(key) if has(key) else field_label(column)


REPORT_CODE_COLUMNS = ("status_code", "problem_code")
"""Columns of the report kept for filtering (hidden in the table; they are in the export)."""


class ImportDialog(QDialog):
    def __init__(self, state: AppState, parent=None, *, paths=()) -> None:
        super().__init__(parent)
        self.state = state
        self.project: Project | None = None
        self.report = None
        self.task: Task | None = None
        self.mappings: dict[str, dict[str, str]] = {}
        self.headers: dict[str, list[str]] = {}
        self.setWindowTitle(qtr("ui.import.title"))
        self.setAcceptDrops(True)
        self.resize(980, 620)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._files_page())
        self.pages.addWidget(self._report_page())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.buttons = QDialogButtonBox()
        self.run_button = self.buttons.addButton(qtr("ui.import.run"), QDialogButtonBox.AcceptRole)
        self.use_button = self.buttons.addButton(qtr("ui.import.use"), QDialogButtonBox.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.Cancel)
        self.use_button.hide()
        self.run_button.clicked.connect(self.run_import)
        self.use_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self._cancel)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.buttons)
        for p in paths:
            self.add_file(Path(p))

    # -- page 1: files and columns ---------------------------------------------------------------
    def _files_page(self) -> QWidget:
        page = QWidget()
        self.files = QTableWidget(0, 3)
        self.files.setHorizontalHeaderLabels([qtr("ui.import.file"), qtr("ui.import.role"),
                                              qtr("ui.import.fac_type")])
        self.files.horizontalHeader().setStretchLastSection(True)
        self.files.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.files.setSelectionMode(QAbstractItemView.SingleSelection)
        self.files.itemSelectionChanged.connect(self._show_columns)
        add = QPushButton(qtr("ui.import.add"))
        add.clicked.connect(self._pick_files)
        remove = QPushButton(qtr("ui.import.remove"))
        remove.clicked.connect(self._remove_file)
        hint = QLabel(qtr("ui.import.hint"))
        hint.setWordWrap(True)
        self.columns = QTableWidget(0, 2)
        self.columns.setHorizontalHeaderLabels([qtr("ui.import.field"), qtr("ui.import.column")])
        self.columns.horizontalHeader().setStretchLastSection(True)
        self.columns_label = QLabel()
        self.columns_label.setWordWrap(True)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        ll.addWidget(hint)
        ll.addLayout(row)
        ll.addWidget(self.files)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.columns_label)
        rl.addWidget(self.columns)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([520, 420])
        lay = QVBoxLayout(page)
        lay.addWidget(split, 1)
        lay.addWidget(self._mode_box())
        return page

    def _mode_box(self) -> QWidget:
        """New project, or add to the open one (not offered for the sample or an empty one)."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 4, 0, 0)
        base = self.state.project
        mode, can_add = default_mode(base)
        self.mode_buttons = {"new": QRadioButton(qtr("ui.import.mode.new")),
                             "add": QRadioButton(qtr("ui.import.mode.add", name=base.title))}
        self.mode_group = QButtonGroup(box)
        row = QHBoxLayout()
        row.addWidget(QLabel(qtr("ui.import.mode")))
        for m in MODES:
            self.mode_group.addButton(self.mode_buttons[m])
            row.addWidget(self.mode_buttons[m])
        row.addStretch(1)
        self.mode_buttons[mode].setChecked(True)
        self.mode_buttons["add"].setEnabled(can_add)
        lay.addLayout(row)
        self.mode_note = QLabel()
        self.mode_note.setWordWrap(True)
        if base.fictional:
            self.mode_note.setText(qtr("ui.import.mode.sample_note"))
        self.mode_note.setVisible(base.fictional)
        lay.addWidget(self.mode_note)
        self.spread_total = QCheckBox(qtr("ui.import.spread_total"))
        self.spread_total.setToolTip(qtr("ui.import.spread_total_tip"))
        lay.addWidget(self.spread_total)
        return box

    @property
    def mode(self) -> str:
        """"new" (the import makes a new project) or "add" (into a copy of the open one)."""
        return "add" if self.mode_buttons["add"].isChecked() and \
            default_mode(self.state.project)[1] else "new"

    def set_mode(self, mode: str) -> None:
        self.mode_buttons[mode].setChecked(True)

    def file_rows(self) -> list[tuple[Path, str, str | None]]:
        out = []
        for r in range(self.files.rowCount()):
            path = Path(self.files.item(r, 0).data(Qt.UserRole))
            role = self.files.cellWidget(r, 1).currentData()
            typ = self.files.cellWidget(r, 2).currentData()
            out.append((path, role, typ))
        return out

    def add_file(self, path: Path) -> None:
        role, typ = guess_role(path)
        r = self.files.rowCount()
        self.files.insertRow(r)
        item = QTableWidgetItem(path.name)
        item.setData(Qt.UserRole, str(path))
        item.setToolTip(str(path))
        item.setFlags(item.flags() & ~Qt.ItemIsEditable)
        self.files.setItem(r, 0, item)
        role_box = QComboBox()
        for ro in ROLES:
            role_box.addItem(qtr(f"ui.import.role.{ro}"), ro)
        role_box.setCurrentIndex(ROLES.index(role))
        type_box = QComboBox()
        for t in FAC_TYPES:
            type_box.addItem(qtr(f"ui.import.type.{t or 'column'}"), t)
        type_box.setCurrentIndex(FAC_TYPES.index(typ))
        type_box.setEnabled(role == "facilities")
        role_box.currentIndexChanged.connect(
            lambda _i, b=role_box, tb=type_box: (tb.setEnabled(b.currentData() == "facilities"),
                                                 self._show_columns()))
        self.files.setCellWidget(r, 1, role_box)
        self.files.setCellWidget(r, 2, type_box)
        self.files.resizeColumnToContents(0)
        self.files.resizeColumnToContents(1)  # the role's whole name ("Tabel per desa ...")
        self.files.selectRow(r)

    def _pick_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, qtr("ui.import.add"), "",
                                                f"{qtr('ui.import.filter')} ({_FILE_FILTER})")
        for p in paths:
            self.add_file(Path(p))

    def _remove_file(self) -> None:
        r = self.files.currentRow()
        if r >= 0:
            self.files.removeRow(r)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        for u in event.mimeData().urls():
            if u.isLocalFile():
                self.add_file(Path(u.toLocalFile()))
        event.acceptProposedAction()

    def read_headers(self, path: Path) -> list[str]:
        key = str(path)
        if key not in self.headers:
            from layers import readers

            if path.suffix.lower() in readers.TABLE_SUFFIXES:
                frame = readers.read_table(path).frame
            else:
                frame = readers.read_vector(path).frame
            self.headers[key] = [str(c) for c in frame.columns if str(c) != "geometry"]
        return self.headers[key]

    def _show_columns(self) -> None:
        """Preview of the detected columns of the selected file; each one can be changed."""
        from layers.columns import SYNONYMS, detect_columns

        self.columns.setRowCount(0)
        r = self.files.currentRow()
        if r < 0:
            return
        path, role, _typ = self.file_rows()[r]
        if role not in SYNONYMS:
            self.columns_label.setText(qtr("ui.import.no_preview"))
            return
        try:
            headers = self.read_headers(path)
            mapping = detect_columns(headers, role, self.mappings.get(role), file=path.name)
        except Exception as exc:  # noqa: BLE001 - shown in the preview, the import reports it
            self.columns_label.setText(str(exc))
            return
        self.columns_label.setText(qtr("ui.import.detected", file=path.name))
        fields = list(SYNONYMS[role])
        self.columns.setRowCount(len(fields))
        for i, f in enumerate(fields):
            item = QTableWidgetItem(import_field_label(role, f))
            item.setData(Qt.UserRole, f)  # the field itself, as the import knows it
            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
            self.columns.setItem(i, 0, item)
            box = QComboBox()
            box.addItem(qtr("ui.import.not_used"), "")
            for h in headers:
                box.addItem(h, h)
            current = mapping.fields.get(f)
            box.setCurrentIndex(max(box.findData(current), 0) if current else 0)
            box.currentIndexChanged.connect(
                lambda _i, b=box, ro=role, fi=f: self._set_mapping(ro, fi, b.currentData()))
            self.columns.setCellWidget(i, 1, box)

    def _set_mapping(self, role: str, field: str, column: str) -> None:
        self.mappings.setdefault(role, {})[field] = column or ""

    # -- running -------------------------------------------------------------------------------
    def import_job(self):
        """The plain function the worker runs: import into a copy of the current project."""
        from layers.importing import import_files

        rows = self.file_rows()
        base = self.state.project
        if self.mode == "add":  # a copy of the open project, saved back to its own file
            target = base.copy()
            target.path = base.path
        else:  # nothing of the open project (never the sample's title or fictional mark)
            target = Project()
        kwargs: dict = {"facilities": [], **{r: [] for r in MULTI_ROLES}}
        for path, role, typ in rows:
            if role == "facilities":
                kwargs["facilities"].append((typ, str(path)))
            elif role in MULTI_ROLES:  # per-desa tables, context layers: several may be given
                kwargs[role].append(str(path))
            else:
                kwargs[role] = str(path)
        if self.spread_total.isChecked():  # the boundary layer's kabupaten total, spread
            kwargs["population_totals"] = ["kabupaten"]
        mappings = {k: dict(v) for k, v in self.mappings.items()}

        def job(progress=None, is_cancelled=None):
            report = import_files(target, mappings=mappings, progress=progress,
                                  is_cancelled=is_cancelled, **kwargs)
            return target, report

        return job

    def run_import(self) -> None:
        if not self.files.rowCount():
            return
        self.run_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.task = Task(self.import_job(), label=qtr("ui.import.title"))
        self.task.progress.connect(lambda f, _m: self.progress.setValue(int(f * 1000)))
        self.task.finished.connect(self._on_done)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)
        start(self.task)

    def _on_done(self, value) -> None:
        self.project, self.report = value
        self.progress.hide()
        self.show_report(self.report)

    def _on_failed(self, exc, details) -> None:
        from ui import app as qtapp

        self.progress.hide()
        self.run_button.setEnabled(True)
        qtapp.show_error(self, exc, details)

    def _on_cancelled(self) -> None:
        self.progress.hide()
        self.run_button.setEnabled(True)

    def _cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            return
        self.reject()

    # -- page 2: the report ----------------------------------------------------------------------
    def _report_page(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.report_model = DataFrameModel(layer="import_report", headers=report_header)
        self.report_proxy = FilterProxy(self)
        self.report_proxy.setSourceModel(self.report_model)
        self.report_view = QTableView()
        self.report_view.setModel(self.report_proxy)
        self.report_view.setSortingEnabled(True)
        self.status_box = QComboBox()
        self.status_box.currentIndexChanged.connect(self._filter_status)
        export = QPushButton(qtr("ui.import.export"))
        export.clicked.connect(self._export_report)
        row = QHBoxLayout()
        row.addWidget(QLabel(qtr("ui.import.show")))
        row.addWidget(self.status_box)
        row.addStretch(1)
        row.addWidget(export)
        lay = QVBoxLayout(page)
        lay.addWidget(self.summary)
        lay.addLayout(row)
        lay.addWidget(self.report_view, 1)
        return page

    def show_report(self, report) -> None:
        self.summary.setText(report.summary())
        frame = report.people_frame()  # statuses, roles and problems as words
        self.report_model.set_frame(frame, "import_report")
        for c in REPORT_CODE_COLUMNS:
            i = self.report_model.column_of(c)
            if i is not None:
                self.report_view.setColumnHidden(i, True)
        self.status_box.blockSignals(True)
        self.status_box.clear()
        self.status_box.addItem(qtr("ui.import.all_rows"), None)
        for s in ("skipped", "doubtful", "fixed", "imported"):
            n = int((frame["status_code"] == s).sum())
            if n:
                self.status_box.addItem(f"{qtr('import_status.' + s)} ({n})", s)
        self.status_box.blockSignals(False)
        self.report_view.resizeColumnsToContents()
        self.pages.setCurrentIndex(1)
        self.run_button.hide()
        self.use_button.show()

    def _filter_status(self, _i: int) -> None:
        s = self.status_box.currentData()
        self.report_proxy.set_column_filter("status_code", {s} if s else None)

    def _export_report(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, qtr("ui.import.export"), "laporan_impor.xlsx",
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if path and self.report is not None:
            self.report.write(path)


register_catalog("ui", "import_dialog")
