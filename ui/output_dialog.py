"""The dialog of one output (plan PDF, summary, wall map, atlas per kecamatan or per desa, XLSX
tables, web map) with the options the command line offers: paper, kecamatan, author, and for
the plan its cover (budget year, preparing unit, signer, NIP, logo).  Only the options that
apply to the chosen output are shown.  Imports Qt and ``ilp_gis.i18n``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import register_catalog
from ui.qtext import qtr

KINDS = ("plan", "summary", "wallmap", "atlas", "atlas_desa", "xlsx", "webmap")
"""Every output the desktop app writes (the same as the command line's)."""

SUFFIX = {"xlsx": ".xlsx", "webmap": ".html"}
DEFAULT_NAME = {"plan": "laporan_ilp", "summary": "ringkasan_ilp", "wallmap": "peta_dinding",
                "atlas": "atlas_kecamatan", "atlas_desa": "atlas_desa", "xlsx": "tabel_ilp",
                "webmap": "peta_web"}
PDF_KINDS = ("plan", "summary", "wallmap", "atlas", "atlas_desa")


@dataclass
class OutputChoice:
    """What the person chose in the dialog."""

    kind: str
    paper: str | None = None
    kecamatan: str | None = None  # a kecamatan code, None for the whole district
    author: str | None = None
    budget_year: int | None = None
    unit: str | None = None
    signer: str | None = None
    signer_nip: str | None = None
    logo: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def suffix(self) -> str:
        return SUFFIX.get(self.kind, ".pdf")

    @property
    def file_filter(self) -> str:
        return {".xlsx": "XLSX (*.xlsx)", ".html": "HTML (*.html)"}.get(self.suffix,
                                                                         "PDF (*.pdf)")


class OutputDialog(QDialog):
    """Choose an output and its options; :meth:`choice` is what was chosen."""

    def __init__(self, parent: QWidget | None = None, *, kind: str = "plan",
                 kecamatan: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(qtr("ui.out.title"))
        self.kind = QComboBox()
        for k in KINDS:
            self.kind.addItem(qtr(f"ui.out.kind.{k}"), k)
        self.kind.setCurrentIndex(max(0, KINDS.index(kind) if kind in KINDS else 0))
        self.paper = QComboBox()
        self.paper.addItem(qtr("ui.out.paper_default"), None)
        for p in ("A4", "A3"):
            self.paper.addItem(p, p)
        self.kecamatan = QComboBox()
        self.kecamatan.addItem(qtr("ui.out.whole_district"), None)
        for code, name in sorted(kecamatan or [], key=lambda cn: str(cn[1]).lower()):
            self.kecamatan.addItem(str(name), code)
        self.author = QLineEdit()
        self.budget_year = QSpinBox()
        self.budget_year.setRange(0, 2100)
        self.budget_year.setSpecialValueText(qtr("ui.out.year_auto"))
        self.budget_year.setValue(0)
        self.unit = QLineEdit()
        self.unit.setPlaceholderText(qtr("ui.out.unit_hint"))
        self.signer = QLineEdit()
        self.nip = QLineEdit()
        self.logo = QLineEdit()
        pick = QPushButton(qtr("ui.out.choose"))
        pick.clicked.connect(self._pick_logo)
        logo_row = QWidget()
        lay = QHBoxLayout(logo_row)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.logo, 1)
        lay.addWidget(pick)
        self.form = QFormLayout()
        self.rows: dict[str, QWidget] = {}
        for key, widget in (("kind", self.kind), ("paper", self.paper),
                            ("kecamatan", self.kecamatan), ("author", self.author),
                            ("budget_year", self.budget_year), ("unit", self.unit),
                            ("signer", self.signer), ("nip", self.nip), ("logo", logo_row)):
            self.form.addRow(qtr(f"ui.out.field.{key}"), widget)
            self.rows[key] = widget
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._show_fields)
        self._show_fields()

    def current_kind(self) -> str:
        return self.kind.currentData()

    def visible_fields(self) -> set[str]:
        """The options that apply to the chosen output."""
        k = self.current_kind()
        shown = {"kind"}
        if k in PDF_KINDS:
            shown |= {"paper", "kecamatan", "author"}
        if k == "plan":
            shown |= {"budget_year", "unit", "signer", "nip", "logo"}
        return shown

    def _show_fields(self) -> None:
        shown = self.visible_fields()
        for key, widget in self.rows.items():
            self.form.setRowVisible(widget, key in shown)
        self.adjustSize()

    def _pick_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, qtr("ui.out.field.logo"), "",
                                              qtr("ui.out.logo_filter"))
        if path:
            self.logo.setText(path)

    def choice(self) -> OutputChoice:
        shown = self.visible_fields()

        def text(w: QLineEdit, key: str) -> str | None:
            value = w.text().strip()
            return value or None if key in shown else None

        year = self.budget_year.value() if "budget_year" in shown else 0
        return OutputChoice(
            kind=self.current_kind(),
            paper=self.paper.currentData() if "paper" in shown else None,
            kecamatan=self.kecamatan.currentData() if "kecamatan" in shown else None,
            author=text(self.author, "author"), budget_year=year or None,
            unit=text(self.unit, "unit"), signer=text(self.signer, "signer"),
            signer_nip=text(self.nip, "nip"), logo=text(self.logo, "logo"))


def default_path(folder: str | Path, choice: OutputChoice) -> Path:
    """The file name offered for ``choice`` beside the project."""
    return Path(folder) / (DEFAULT_NAME[choice.kind] + choice.suffix)


register_catalog("ui", "output_dialog")
