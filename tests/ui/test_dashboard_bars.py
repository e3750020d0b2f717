"""The dashboard's per-kecamatan bars paint only the rows a paint asks for (a nation has
7,000 kecamatan): any band of rows painted alone looks as in the whole picture."""

from __future__ import annotations

from PySide6.QtCore import QRect

from ui.dashboard import BarChart


def test_a_band_of_rows_paints_as_in_the_whole_chart(qtbot):
    chart = BarChart()
    qtbot.addWidget(chart)
    labels = [f"Kecamatan {i}" for i in range(40)]
    values = [i / 40 for i in range(40)]
    values[7] = float("nan")  # no figure: no bar, "–"
    chart.set_data(labels, values)
    chart.resize(400, chart.minimumHeight())
    whole = chart.grab().toImage()
    line_x = 400 - 52 - 8  # the dashed 100% line, whose dash phase follows the paint's origin
    for first in (0, 7, 23, 39):
        band = QRect(0, 4 + first * BarChart.ROW, 400, 2 * BarChart.ROW)
        alone = chart.grab(band).toImage()
        assert alone.copy(0, 0, line_x - 2, band.height()) == \
            whole.copy(QRect(0, band.top(), line_x - 2, band.height()))
        assert alone.copy(line_x + 2, 0, 400 - line_x - 2, band.height()) == \
            whole.copy(QRect(line_x + 2, band.top(), 400 - line_x - 2, band.height()))
    # bars of growing shares: a fuller row shows more bar colour than an emptier one
    def coloured(row):
        y = 4 + row * BarChart.ROW + BarChart.ROW // 2
        return sum(whole.pixelColor(x, y).name() not in ("#eaeded", "#ffffff", "#000000")
                   for x in range(whole.width() // 3, whole.width() - 60))
    assert coloured(35) > coloured(10) > coloured(7)
