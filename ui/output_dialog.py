"""The dialog of one output (plan PDF, summary, wall map, atlas per kecamatan or per desa, XLSX
tables, web map) with the options the command line offers: paper, kecamatan, author, for the
plan its cover (budget year, preparing unit, signer, NIP, logo), and for the web map the figure
the desa are coloured by, an offline basemap file, the online basemap and the PWS indicator of
the period slider.  Only the options that apply to the chosen output are shown.  Imports Qt,
``ilp_gis.i18n`` and the options' names from ``reports``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.i18n import register_catalog
from reports.options import PRIORITY_TOP
from reports.webmap.indicators import AUTO, COLOUR_FIELDS
from ui.form_rows import field_with_button
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
    top: int | None = None  # places at the head of the priority list (0: all)
    colour_by: str | None = None  # web map: a key of COLOUR_FIELDS or "auto"
    basemap: str | None = None  # web map: an MBTiles/PMTiles file
    online_basemap: bool = False  # web map: OpenStreetMap tiles (needs the internet)
    pws_indicator: str | None = None  # web map: the PWS indicator shown when the map opens
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
                 kecamatan: list[tuple[str, str]] | None = None,
                 pws_indicators: list[tuple[str, str]] | None = None) -> None:
        """``kecamatan``: (code, name) pairs; ``pws_indicators``: (key, label) of the PWS
        indicators with values in the project (none: the PWS choice is disabled)."""
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
        self.top = QSpinBox()
        self.top.setRange(0, 10_000)
        self.top.setSpecialValueText(qtr("ui.out.top_all"))
        self.top.setValue(PRIORITY_TOP)
        self.top.setToolTip(qtr("ui.out.top_hint"))
        self.unit = QLineEdit()
        self.unit.setPlaceholderText(qtr("ui.out.unit_hint"))
        self.signer = QLineEdit()
        self.nip = QLineEdit()
        self.logo = QLineEdit()
        pick = QPushButton(qtr("ui.out.choose"))
        pick.clicked.connect(self._pick_logo)
        logo_row = field_with_button(self.logo, pick)
        self.colour_by = QComboBox()
        self.colour_by.addItem(qtr("webmap.colour.auto"), AUTO)
        for key, fig in COLOUR_FIELDS.items():
            self.colour_by.addItem(qtr(fig.label_key), key)
        self.colour_by.setToolTip(qtr("ui.out.colour_by_hint"))
        self.basemap = QLineEdit()
        self.basemap.setPlaceholderText(qtr("ui.out.basemap_none"))
        self.basemap.setToolTip(qtr("ui.out.basemap_hint"))
        pick_basemap = QPushButton(qtr("ui.out.choose"))
        pick_basemap.setObjectName("pick_basemap")
        pick_basemap.clicked.connect(self._pick_basemap)
        basemap_row = field_with_button(self.basemap, pick_basemap)
        self.online_basemap = QCheckBox(qtr("ui.out.online_basemap"))
        self.online_basemap.setToolTip(qtr("ui.out.online_basemap_hint"))
        self.pws = QComboBox()
        if pws_indicators:
            self.pws.addItem(qtr("ui.out.pws_default"), None)
            for key, label in pws_indicators:
                self.pws.addItem(str(label), key)
            self.pws.setToolTip(qtr("ui.out.pws_hint"))
        else:
            self.pws.addItem(qtr("ui.out.pws_none"), None)
            self.pws.setEnabled(False)
            self.pws.setToolTip(qtr("ui.out.pws_missing"))
        self.form = QFormLayout()
        self.rows: dict[str, QWidget] = {}
        for key, widget in (("kind", self.kind), ("paper", self.paper),
                            ("kecamatan", self.kecamatan), ("author", self.author),
                            ("top", self.top), ("budget_year", self.budget_year), ("unit", self.unit),
                            ("signer", self.signer), ("nip", self.nip), ("logo", logo_row),
                            ("colour_by", self.colour_by), ("basemap", basemap_row),
                            ("online_basemap", self.online_basemap), ("pws", self.pws)):
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
            shown |= {"top", "budget_year", "unit", "signer", "nip", "logo"}
        if k == "summary":
            shown.add("top")
        if k == "webmap":
            shown |= {"colour_by", "basemap", "online_basemap", "pws"}
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

    def _pick_basemap(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, qtr("ui.out.field.basemap"), "",
                                              qtr("ui.out.basemap_filter"))
        if path:
            self.basemap.setText(path)

    def restore_webmap(self, previous: OutputChoice) -> None:
        """Offer the web map's options chosen last time (e.g. after a wrong basemap file)."""
        for box, value in ((self.colour_by, previous.colour_by),
                           (self.pws, previous.pws_indicator)):
            at = box.findData(value)
            if value is not None and at >= 0 and box.isEnabled():
                box.setCurrentIndex(at)
        self.basemap.setText(previous.basemap or "")
        self.online_basemap.setChecked(previous.online_basemap)

    def choice(self) -> OutputChoice:
        shown = self.visible_fields()

        def text(w: QLineEdit, key: str) -> str | None:
            value = w.text().strip()
            return value or None if key in shown else None

        year = self.budget_year.value() if "budget_year" in shown else 0
        web = "colour_by" in shown
        return OutputChoice(
            kind=self.current_kind(),
            paper=self.paper.currentData() if "paper" in shown else None,
            kecamatan=self.kecamatan.currentData() if "kecamatan" in shown else None,
            author=text(self.author, "author"), budget_year=year or None,
            unit=text(self.unit, "unit"), signer=text(self.signer, "signer"),
            signer_nip=text(self.nip, "nip"), logo=text(self.logo, "logo"),
            top=self.top.value() if "top" in shown else None,
            colour_by=self.colour_by.currentData() if web else None,
            basemap=text(self.basemap, "basemap"),
            online_basemap=web and self.online_basemap.isChecked(),
            pws_indicator=self.pws.currentData() if web and self.pws.isEnabled() else None)


def default_path(folder: str | Path, choice: OutputChoice) -> Path:
    """The file name offered for ``choice`` beside the project."""
    return Path(folder) / (DEFAULT_NAME[choice.kind] + choice.suffix)


register_catalog("ui", "output_dialog")
