"""A small dialog to add a facility or change its name, type and parent."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
)

from ilp_gis import model
from ilp_gis.i18n import format_number, register_catalog
from ui.qtext import qtr
from ui.state import AppState, key_of


class FacilityDialog(QDialog):
    def __init__(self, state: AppState, parent=None, *, lon: float | None = None,
                 lat: float | None = None, fac_id: str | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.lon, self.lat, self.fac_id = lon, lat, fac_id
        self.setWindowTitle(qtr("ui.facdlg.title_edit" if fac_id else "ui.facdlg.title_add"))
        self.type_box = QComboBox()
        for t in model.FacilityType:
            self.type_box.addItem(t.label, t.value)
        self.name = QLineEdit()
        self.parent_box = QComboBox()
        self.where = QLabel()
        form = QFormLayout(self)
        form.addRow(qtr("ui.facdlg.type"), self.type_box)
        form.addRow(qtr("ui.facdlg.name"), self.name)
        form.addRow(qtr("ui.facdlg.parent"), self.parent_box)
        form.addRow(self.where)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.original: dict = {}
        fac = state.project.facilities
        if fac_id is not None:
            row = fac.iloc[key_of(fac, "facilities").index(fac_id)]
            self.original = {"name": row.get("name"), "type": row.get("type"),
                             "parent_id": row.get("parent_id")}
            pos = state.facility_position(fac_id)
            if pos:
                self.lon, self.lat = pos
            self.type_box.setCurrentIndex(max(self.type_box.findData(row.get("type")), 0))
            self.name.setText(str(row.get("name") or ""))
        else:
            self.type_box.setCurrentIndex(self.type_box.findData("posyandu"))
        self.type_box.currentIndexChanged.connect(self._fill_parents)
        self._fill_parents()
        if self.lon is not None:
            desa, _kec = state.locate(self.lon, self.lat)
            self.where.setText(qtr("ui.facdlg.where", lat=format_number(self.lat, 5),
                                   lon=format_number(self.lon, 5), desa=desa or "–"))

    def _fill_parents(self) -> None:
        """Candidate parents of the type one tier up, nearest first."""
        self.parent_box.clear()
        self.parent_box.addItem(qtr("ui.facdlg.no_parent"), None)
        typ = self.type_box.currentData()
        tiers = {"pustu": ("puskesmas",), "posyandu": ("pustu", "puskesmas")}.get(typ, ())
        fac = self.state.project.facilities
        if not tiers or not len(fac):
            return
        cand = fac[fac["type"].isin(tiers)]
        keys = key_of(fac, "facilities")
        pos_keys = [keys[i] for i in np.flatnonzero(fac["type"].isin(tiers).to_numpy())]
        g = cand.geometry.to_crs(model.WGS84) if cand.crs is not None else cand.geometry
        if self.lon is not None:
            d = np.hypot((g.x.to_numpy() - self.lon) * math.cos(math.radians(self.lat or 0)),
                         g.y.to_numpy() - self.lat) * 111.32
        else:
            d = np.zeros(len(cand))
        order = np.argsort(d, kind="stable")
        for i in order[:200]:
            row = cand.iloc[i]
            label = f"{row['name']} ({model.FacilityType(row['type']).label}"
            label += f", {format_number(d[i], 1)} km)" if self.lon is not None else ")"
            if pos_keys[i] != self.fac_id:
                self.parent_box.addItem(label, pos_keys[i])
        current = self.original.get("parent_id")
        if current:
            i = self.parent_box.findData(str(current))
            if i >= 0:
                self.parent_box.setCurrentIndex(i)
        elif self.fac_id is None and self.parent_box.count() > 1:
            self.parent_box.setCurrentIndex(1)  # nearest

    def record(self) -> dict:
        return {"lon": self.lon, "lat": self.lat, "type": self.type_box.currentData(),
                "name": self.name.text().strip() or qtr("ui.facdlg.new_name"),
                "parent_id": self.parent_box.currentData()}

    def changes(self) -> dict:
        new = {"name": self.name.text().strip() or self.original.get("name"),
               "type": self.type_box.currentData(), "parent_id": self.parent_box.currentData()}
        out = {}
        for k, v in new.items():
            old = self.original.get(k)
            old = None if old is None or (isinstance(old, float) and math.isnan(old)) else old
            if v != old:
                out[k] = v
        return out


register_catalog("ui", "facility_dialog")
