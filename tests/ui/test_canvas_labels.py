"""Issue 17: names on the map canvas are placed as on paper — one collision pass over every
name of the picture (the print maps' LabelPlacer), no label over another or over a
Puskesmas symbol, and the more populous desa first."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPainter

from ui.map import MapRenderer, View
from ui.map.labels import place_labels


def _overlap(a, b) -> bool:
    return a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]


def _render(state, w=900, h=300, mupp=None):
    r = MapRenderer(state)
    x0, y0, x1, y1 = r.extent()
    view = View((x0 + x1) / 2, (y0 + y1) / 2, mupp or max((x1 - x0) / w, (y1 - y0) / h) * 1.05)
    img = QImage(w, h, QImage.Format_ARGB32_Premultiplied)
    p = QPainter(img)
    r.render(p, w, h, view)
    p.end()
    return r, view


def test_labels_never_overlap_each_other_nor_symbols(qtbot, state):
    desa = state.project.desa
    # names far longer than a desa is wide: neighbours compete for the same place
    state.project.set_layer("desa", desa.assign(
        name=[f"Desa Dengan Nama Panjang Sekali {c}" for c in "ABCDEF"]))
    r, view = _render(state)
    labels = r._labels
    desa_labels = [lab for lab in labels if lab.layer == "desa"]
    assert desa_labels and len(desa_labels) < 6  # some had no free place and were left out
    boxes = [lab.box() for lab in labels]
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not _overlap(boxes[i], boxes[j]), (labels[i].text, labels[j].text)
    # every Puskesmas symbol stays free of names
    fac = r.layers["facilities"]
    w, h = 900, 300
    for k, style in zip(fac.keys, fac.styles, strict=True):
        if style != "puskesmas":
            continue
        x, y = fac.xy[fac.key_index[k]]
        sx, sy = view.to_screen(x, y, w, h)
        dot = (sx - 2, sy - 2, sx + 2, sy + 2)
        assert not any(_overlap(dot, b) for b in boxes), k


def test_the_more_populous_desa_is_labelled_first(qtbot, state):
    desa = state.project.desa
    pop = [1000.0, 500_000.0, 2000.0, 3000.0, np.nan, 4000.0]
    state.project.set_layer("desa", desa.assign(
        name=[f"Desa Dengan Nama Panjang Sekali {c}" for c in "ABCDEF"], population=pop))
    for layer in ("kecamatan", "facilities"):  # only the desa names compete
        state.set_visible(layer, False)
    r, _view = _render(state)
    placed = [lab.index for lab in r._labels if lab.layer == "desa"]
    assert placed[0] == 1  # Desa B, by far the most people, wins its place
    order = [pop[i] if np.isfinite(pop[i]) else -1 for i in placed]
    assert order == sorted(order, reverse=True)  # placed most populous first, no figure last


def test_place_labels_skips_names_when_too_many_are_in_view(qtbot, state):
    r = MapRenderer(state)
    x0, y0, x1, y1 = r.extent()
    view = View((x0 + x1) / 2, (y0 + y1) / 2, 1000.0)  # far out: desa names are not drawn
    rect = view.rect(400, 200)
    assert [lab for lab in place_labels(r, 400, 200, view, rect, rect)
            if lab.layer == "desa"] == []
