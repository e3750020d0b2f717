"""The desa on the desktop map coloured by a PWS indicator in a month: each desa takes the fill
of its PWS class (the PDF's and web map's colours), a desa without a value the "tidak ada data"
style, and another month other colours.  Hand-made K4 values (as in test_pws_view): sasaran =
population x 1.8 %; Desa E has no population (no sasaran), Desa F no values."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ilp_gis.monitoring import pws
from layers import symbology as sym

A, B, C, D, E, F = (f"35.07.0{k}.200{d}" for k, d in
                    ((1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)))
LON0, LAT0, STEP = 112.60, -8.10, 0.03


def _values(project):
    rows = [  # (desa, Jan, Feb)
        (A, 2, 3),  # Feb: 5/18 = 27.8 % >= 2/12, rising -> baik; Jan 2/18 >= 1/12 -> baik
        (B, 1, 1),  # Feb: 2/27 = 7.4 % below 16.7 %, level -> cukup; Jan 1/27 < 8.3 % -> cukup
        (C, 7, 0),  # Feb: 7/36 = 19.4 % >= 16.7 %, falling -> kurang; Jan 7/36 -> baik
        (D, 2, 1),  # Feb: 3/45 = 6.7 % below, falling -> jelek; Jan 2/45 = 4.4 % -> cukup
        (E, 1, 1),  # no sasaran: tidak ada data
    ]
    recs = [{"period": f"2026-0{m}", "desa_code": d, "indicator": "k4", "value": float(v),
             "denominator": np.nan, "source_file": "k4.csv"}
            for d, jan, feb in rows for m, v in ((1, jan), (2, feb))]
    project.set_table(pws.VALUES_TABLE, pd.DataFrame(recs))


def _over_white(key: str) -> tuple[int, int, int]:
    st = sym.PWS_STYLES[key]
    return tuple(int(round(255 - (255 - c) * st.fill_opacity)) for c in sym.hex_to_rgb(st.fill))


def _desa_colour(canvas, img, i: int) -> tuple[int, int, int]:
    """The most common pixel colour around a point of desa ``i`` away from labels and markers."""
    x, y = canvas.renderer.to_local(LON0 + (i + 0.2) * STEP, LAT0 + 0.8 * STEP)
    sx, sy = canvas.view.to_screen(x, y, canvas.width(), canvas.height())
    r = img.devicePixelRatio()
    cx, cy = int(round(sx * r)), int(round(sy * r))
    seen = Counter()
    for dx in range(-4, 5):
        for dy in range(-4, 5):
            c = img.pixelColor(cx + dx, cy + dy)
            seen[(c.red(), c.green(), c.blue())] += 1
    return seen.most_common(1)[0][0]


def _close(a, b, tol=4) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b, strict=True))


def _shown(qtbot, window):
    canvas = window.canvas
    canvas.full_extent()
    qtbot.wait(50)
    return canvas, canvas.grab().toImage()


def test_pws_month_colours_each_desa_by_its_class(qtbot, window):
    st, panel = window.state, window.layers_panel
    for name in ("gaps", "facilities", "network", "roads"):
        st.set_visible(name, False)
    _values(st.project)
    assert st.pws_choices() == {"k4": ["2026-01", "2026-02"]}
    k4 = panel.pws_indicator.findData("k4")
    assert k4 > 0
    panel.pws_indicator.setCurrentIndex(k4)  # the latest month is chosen with it
    assert st.pws_theme is not None and st.pws_theme.month == "2026-02"
    canvas, img = _shown(qtbot, window)
    feb = ["baik", "cukup", "kurang", "jelek", "missing", "missing"]
    for i, key in enumerate(feb):
        got = _desa_colour(canvas, img, i)
        assert _close(got, _over_white(key)), (i, key, got, _over_white(key))
    legend = [panel.legend.item(i).text() for i in range(panel.legend.count())]
    assert any("K4" in t and "Februari 2026" in t for t in legend), legend
    assert "tidak ada data: 2 desa" in legend and not any(t.endswith(": 0 desa") and
                                                          "tidak ada data" in t for t in legend)
    # another month through the slider: other colours
    panel.pws_slider.setValue(0)
    assert st.pws_theme.month == "2026-01"
    canvas, img = _shown(qtbot, window)
    jan = ["baik", "cukup", "baik", "cukup", "missing", "missing"]
    for i, key in enumerate(jan):
        assert _close(_desa_colour(canvas, img, i), _over_white(key)), (i, key)
    # no PWS colouring: the plain desa fill again
    panel.pws_indicator.setCurrentIndex(0)
    assert st.pws_theme is None and st.pws_legend() is None


def test_a_coverage_colouring_replaces_the_pws_one(state):
    _values(state.project)
    state.set_pws_theme("k4", "Februari 2026")
    assert state.pws_theme.month == "2026-02"
    leg = state.pws_legend()
    assert leg.classes[E] == leg.classes[F] == "missing" and leg.counts["baik"] == 1
    state.set_thematic("population")
    assert state.pws_theme is None
    state.set_pws_theme("k4", "2026-01")
    assert state.thematic.field is None and state.pws_legend().classes[C] == "baik"
