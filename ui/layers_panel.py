"""The layers panel: visibility, order, opacity and legend of every map layer, and the thematic
colouring of desa by a coverage figure (quantiles or natural breaks)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ilp_gis.coe import units_only
from ilp_gis.i18n import format_percent, register_catalog
from layers import symbology as sym
from ui.map.strokes import HATCH, qcolor
from ui.qtext import qtr
from ui.state import AppState, field_label

NAME_ROLE = Qt.UserRole + 20


def area_icon(style, size: int = 16) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    if style.fill:
        c = QColor(style.fill)
        c.setAlphaF(style.fill_opacity)
        p.setBrush(c)
    pen = QPen(QColor(style.stroke), max(1.0, style.stroke_width))
    if style.dash:
        pen.setStyle(Qt.DashLine)
    p.setPen(pen)
    p.drawRect(2, 2, size - 4, size - 4)
    if style.hatch in HATCH:  # the swatch shows the hatch the map draws
        p.setPen(Qt.NoPen)
        p.setBrush(QBrush(qcolor(style.stroke, 0.7), HATCH[style.hatch]))
        p.drawRect(3, 3, size - 6, size - 6)
    p.end()
    return QIcon(pm)


def point_icon(style, size: int = 16) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setBrush(QColor(style.fill))
    # a hollow marker (known only by its desa) is its outline in the type's colour
    p.setPen(QPen(QColor(style.stroke), 2.2) if style.hollow else QPen(QColor("#333333"), 1))
    r = min(style.size, size - 4) / 2 + 1
    c = QPointF(size / 2, size / 2)
    if style.shape == "square":
        p.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
    elif style.shape == "triangle":
        from PySide6.QtGui import QPolygonF

        p.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - r), QPointF(c.x() + r, c.y() + r),
                                 QPointF(c.x() - r, c.y() + r)]))
    else:
        p.drawEllipse(c, r, r)
    p.end()
    return QIcon(pm)


def line_icon(colour: str, dash: bool = False, size: int = 16) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    pen = QPen(QColor(colour), 2)
    if dash:
        pen.setStyle(Qt.DashLine)
    p.setPen(pen)
    p.drawLine(1, size - 3, size - 1, 3)
    p.end()
    return QIcon(pm)


def layer_icon(name: str) -> QIcon:
    if name == "facilities":
        return point_icon(sym.FACILITY_STYLES["puskesmas"])
    if name == "network":
        return line_icon(sym.NETWORK_EDGE["given"][0])
    if name == "roads":
        return line_icon("#e67e22")
    if name == "gaps":
        return area_icon(sym.GAP_STYLES["no_pustu"])
    if name == "coe":
        return area_icon(sym.COE_UNIT_STYLE)
    return area_icon({"kabupaten": sym.KABUPATEN_STYLE, "kecamatan": sym.KECAMATAN_STYLE,
                      "desa": sym.DESA_STYLE}[name])


class LayersPanel(QWidget):
    zoom_to_layer = Signal(str)

    def __init__(self, state: AppState, parent=None) -> None:
        super().__init__(parent)
        self.state = state
        self._syncing = False
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.InternalMove)
        self.list.setIconSize(self.list.iconSize())
        self.up = QToolButton()
        self.up.setArrowType(Qt.UpArrow)
        self.down = QToolButton()
        self.down.setArrowType(Qt.DownArrow)
        self.zoom = QToolButton()
        self.zoom.setText("⤢")
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity_label = QLabel()
        self.field = QComboBox()
        self.method = QComboBox()
        self.method.addItem("", "quantile")
        self.method.addItem("", "natural")
        self.field_label, self.method_label = QLabel(), QLabel()
        # the PWS colouring: one indicator in one month kept in the project (ui.pws_theme)
        self.pws_indicator = QComboBox()
        self.pws_month = QComboBox()
        self.pws_slider = QSlider(Qt.Horizontal)
        self.pws_slider.setPageStep(1)
        self.pws_label, self.pws_month_label = QLabel(), QLabel()
        self.legend = QListWidget()
        self.legend.setSelectionMode(QAbstractItemView.NoSelection)
        self.legend.setMinimumHeight(90)  # a laptop screen (1366x768) keeps every layer row
        self.legend_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addWidget(self.zoom)
        buttons.addWidget(self.opacity_label)
        buttons.addWidget(self.opacity, 1)
        form = QFormLayout()
        form.addRow(self.field_label, self.field)
        form.addRow(self.method_label, self.method)
        form.addRow(self.pws_label, self.pws_indicator)
        form.addRow(self.pws_month_label, self.pws_month)
        form.addRow("", self.pws_slider)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.list)
        lay.addLayout(buttons)
        lay.addLayout(form)
        lay.addWidget(self.legend_label)
        lay.addWidget(self.legend, 1)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.model().rowsMoved.connect(self._on_rows_moved)
        self.list.currentItemChanged.connect(self._on_current)
        self.list.itemDoubleClicked.connect(lambda it: self.zoom_to_layer.emit(it.data(NAME_ROLE)))
        self.up.clicked.connect(lambda: self._move(-1))
        self.down.clicked.connect(lambda: self._move(1))
        self.zoom.clicked.connect(self._zoom)
        self.opacity.valueChanged.connect(self._on_opacity)
        self.field.currentIndexChanged.connect(self._on_thematic)
        self.method.currentIndexChanged.connect(self._on_thematic)
        self.pws_indicator.currentIndexChanged.connect(self._on_pws_indicator)
        self.pws_month.currentIndexChanged.connect(self._on_pws_month)
        self.pws_slider.valueChanged.connect(self._on_pws_slider)
        state.layers_changed.connect(self._on_layers_change)
        state.result_changed.connect(self._fill_fields)
        state.project_replaced.connect(self._fill_fields)
        state.project_replaced.connect(self._fill_pws)
        state.layer_changed.connect(self._on_table_change)
        self.retranslate()

    def retranslate(self) -> None:
        self.up.setToolTip(qtr("ui.layers.up"))
        self.down.setToolTip(qtr("ui.layers.down"))
        self.zoom.setToolTip(qtr("ui.layers.zoom"))
        self.opacity_label.setText(qtr("ui.layers.opacity"))
        self.opacity.setToolTip(qtr("ui.layers.opacity_tip"))
        self.field_label.setText(qtr("ui.layers.colour_by"))
        self.method_label.setText(qtr("ui.layers.method"))
        self.method.setItemText(0, qtr("ui.layers.quantile"))
        self.method.setItemText(1, qtr("ui.layers.natural"))
        self.legend_label.setText(qtr("ui.layers.legend"))
        self.pws_label.setText(qtr("ui.layers.pws"))
        self.pws_month_label.setText(qtr("ui.layers.pws_month"))
        self.pws_indicator.setToolTip(qtr("ui.layers.pws_tip"))
        self.pws_slider.setToolTip(qtr("ui.layers.pws_slider_tip"))
        self._fill_pws()
        self._fill_fields()
        self._rebuild_list()

    def _fit_list(self) -> None:
        """The layer list as tall as its rows (all of them seen without scrolling); the legend
        below takes the rest of the panel's height."""
        rows = self.list.count()
        if not rows:
            return
        row_h = max(self.list.sizeHintForRow(0), self.list.fontMetrics().height() + 4)
        self.list.setFixedHeight(rows * row_h + 2 * self.list.frameWidth() + 4)

    def _rebuild_list(self) -> None:
        self._syncing = True
        current = self.list.currentItem().data(NAME_ROLE) if self.list.currentItem() else None
        self.list.clear()
        for s in self.state.layer_settings:
            item = QListWidgetItem(layer_icon(s.name), qtr(f"ui.layer.{s.name}"))
            item.setData(NAME_ROLE, s.name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable | Qt.ItemIsDragEnabled)
            item.setCheckState(Qt.Checked if s.visible else Qt.Unchecked)
            item.setToolTip(qtr("ui.layers.item_tip"))
            self.list.addItem(item)
            if s.name == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._fit_list()
        self._syncing = False
        self._on_current(self.list.currentItem())
        self._rebuild_legend()

    def _on_layers_change(self) -> None:
        order = [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())]
        if order != [s.name for s in self.state.layer_settings]:
            self._rebuild_list()
        else:
            self._syncing = True
            for i, s in enumerate(self.state.layer_settings):
                self.list.item(i).setCheckState(Qt.Checked if s.visible else Qt.Unchecked)
            self._syncing = False
            self._sync_themes()
            self._rebuild_legend()

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if not self._syncing:
            self.state.set_visible(item.data(NAME_ROLE), item.checkState() == Qt.Checked)

    def _on_rows_moved(self, *_args) -> None:
        if self._syncing:
            return
        order = [self.list.item(i).data(NAME_ROLE) for i in range(self.list.count())]
        self._syncing = True
        for i, name in enumerate(order):
            if self.state.layer_settings[i].name != name:
                self.state.move_layer(name, i)
        self._syncing = False

    def _move(self, delta: int) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        name = item.data(NAME_ROLE)
        names = [s.name for s in self.state.layer_settings]
        self.state.move_layer(name, names.index(name) + delta)
        for i in range(self.list.count()):
            if self.list.item(i).data(NAME_ROLE) == name:
                self.list.setCurrentRow(i)

    def _zoom(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.zoom_to_layer.emit(item.data(NAME_ROLE))

    def _on_current(self, item, _prev=None) -> None:
        if item is None:
            return
        self.opacity.blockSignals(True)
        self.opacity.setValue(int(round(self.state.setting(item.data(NAME_ROLE)).opacity * 100)))
        self.opacity.blockSignals(False)

    def _on_opacity(self, value: int) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.state.set_opacity(item.data(NAME_ROLE), value / 100.0)

    def _fill_fields(self) -> None:
        self.field.blockSignals(True)
        current = self.state.thematic.field
        self.field.clear()
        self.field.addItem(qtr("ui.layers.no_theme"), None)
        for col in self.state.thematic_fields():
            self.field.addItem(field_label(col), col)
        i = self.field.findData(current)
        self.field.setCurrentIndex(max(i, 0))
        self.field.blockSignals(False)
        self._rebuild_legend()

    def _on_thematic(self, *_args) -> None:
        self.state.set_thematic(self.field.currentData(), self.method.currentData() or "quantile")

    # -- the PWS colouring ---------------------------------------------------------------------
    def _on_table_change(self, name: str) -> None:
        if name == "pws_values":
            self._fill_pws()

    def _fill_pws(self) -> None:
        """The indicators with values (after "no PWS colouring") and the chosen one's months."""
        self._choices = self.state.pws_choices()
        inds = self.state.pws_indicators
        self.pws_indicator.blockSignals(True)
        self.pws_indicator.clear()
        self.pws_indicator.addItem(qtr("ui.layers.no_pws"), None)
        for key in self._choices:
            self.pws_indicator.addItem(inds.items[key].label(), key)
        self.pws_indicator.blockSignals(False)
        self._sync_themes()

    def _sync_themes(self) -> None:
        """The combos show what the map shows (a colouring chosen elsewhere: the PWS tab)."""
        self.field.blockSignals(True)
        self.field.setCurrentIndex(max(self.field.findData(self.state.thematic.field), 0))
        self.field.blockSignals(False)
        theme = self.state.pws_theme
        self.pws_indicator.blockSignals(True)
        i = self.pws_indicator.findData(theme.indicator) if theme is not None else 0
        self.pws_indicator.setCurrentIndex(max(i, 0))
        self.pws_indicator.blockSignals(False)
        self._fill_months(theme.month if theme is not None else None)

    def _fill_months(self, month: str | None) -> None:
        from ilp_gis.monitoring.periods import parse_period

        months = self._choices.get(self.pws_indicator.currentData(), [])
        keep = month if month in months else (months[-1] if months else None)
        for w in (self.pws_month, self.pws_slider):
            w.blockSignals(True)
        self.pws_month.clear()
        for m in months:
            self.pws_month.addItem(parse_period(m).label(), m)
        self.pws_slider.setRange(0, max(len(months) - 1, 0))
        if keep is not None:
            self.pws_month.setCurrentIndex(months.index(keep))
            self.pws_slider.setValue(months.index(keep))
        for w in (self.pws_month, self.pws_month_label, self.pws_slider):
            w.setEnabled(bool(months))
        for w in (self.pws_month, self.pws_slider):
            w.blockSignals(False)

    def _on_pws_indicator(self, *_args) -> None:
        self._fill_months(self.pws_month.currentData())
        self._apply_pws()

    def _on_pws_month(self, index: int) -> None:
        self.pws_slider.blockSignals(True)
        self.pws_slider.setValue(max(index, 0))
        self.pws_slider.blockSignals(False)
        self._apply_pws()

    def _on_pws_slider(self, value: int) -> None:
        self.pws_month.setCurrentIndex(value)  # -> _on_pws_month

    def _apply_pws(self) -> None:
        key, month = self.pws_indicator.currentData(), self.pws_month.currentData()
        self.state.set_pws_theme(key if key and month else None, month)

    def _rebuild_legend(self) -> None:
        self.legend.clear()
        visible = {s.name for s in self.state.layer_settings if s.visible}
        if "facilities" in visible:
            for key in ("puskesmas", "pustu", "posyandu"):
                st = sym.FACILITY_STYLES[key]
                self.legend.addItem(QListWidgetItem(point_icon(st), st.label))
            self.legend.addItem(QListWidgetItem(point_icon(sym.PRECURSOR_STYLE),
                                                sym.PRECURSOR_STYLE.label))
            fac = self.state.project.facilities if self.state.project.has("facilities") \
                else None
            if fac is not None and "location_quality" in fac and len(fac):
                by_desa = set(fac.loc[fac["location_quality"] == "desa", "type"].dropna())
                for key in ("puskesmas", "pustu", "posyandu"):
                    if key in by_desa:  # hollow: only the desa is known
                        st = sym.DESA_LEVEL_STYLES[key]
                        self.legend.addItem(QListWidgetItem(point_icon(st), st.label))
        if "network" in visible and self.state.result is not None:
            for link, (colour, dash) in sym.NETWORK_EDGE.items():
                self.legend.addItem(QListWidgetItem(line_icon(colour, bool(dash)),
                                                    qtr(f"ui.layers.link.{link}")))
        if "coe" in visible and self.state.result is not None:
            units = units_only(self.state.result.coe)
            if units is not None and len(units):
                self.legend.addItem(QListWidgetItem(area_icon(sym.COE_UNIT_STYLE),
                                                    sym.COE_UNIT_STYLE.label))
                self.legend.addItem(QListWidgetItem(point_icon(sym.COE_MEMBER_STYLE),
                                                    sym.COE_MEMBER_STYLE.label))
        if "gaps" in visible and self.state.result is not None and self.state.result.gaps is not None:
            gaps = self.state.result.gaps  # each kind once (a nation has 214,000 gaps)
            kinds = {str(k) for k in pd.unique(gaps["kind"].astype(str))} if len(gaps) else set()
            for kind in sym.GAP_KINDS:
                if kind in kinds:
                    st = sym.GAP_STYLES[kind]
                    self.legend.addItem(QListWidgetItem(area_icon(st), st.label))
        pws_legend = self.state.pws_legend()
        if pws_legend is not None and "desa" in visible:
            self.legend.addItem(_bold_item(pws_legend.title))
            for _key, style, text in pws_legend.rows():
                self.legend.addItem(QListWidgetItem(area_icon(style), text))
            self.legend.addItem(QListWidgetItem(qtr(
                "ui.layers.pws_expected", expected=format_percent(pws_legend.expected))))
        legend = self.state.thematic_legend()
        if legend is not None and "desa" in visible:
            self.legend.addItem(_bold_item(field_label(legend.field)))
            for colour, label in zip(legend.palette, legend.labels, strict=False):
                st = sym.AreaStyle(colour, "#777777", 0.5)
                self.legend.addItem(QListWidgetItem(area_icon(st), label))
            self.legend.addItem(QListWidgetItem(area_icon(sym.AreaStyle(sym.NO_DATA_COLOUR,
                                                                        "#777777", 0.5)),
                                                qtr("common.missing")))
        for name, st in (("kecamatan", sym.KECAMATAN_STYLE), ("kabupaten", sym.KABUPATEN_STYLE)):
            if name in visible:
                self.legend.addItem(QListWidgetItem(area_icon(st), st.label))


def _bold_item(text: str) -> QListWidgetItem:
    item = QListWidgetItem(text)
    f = item.font()
    f.setBold(True)
    item.setFont(f)
    return item


register_catalog("ui", "layers_panel")
