"""The PWS colouring of the desktop map: the desa coloured by the PWS class of one indicator in
one month kept in the project (:func:`ilp_gis.monitoring.pws.ranking`), with the classes and
colours of the PDF and the web map (``layers.symbology.PWS_STYLES``); a desa without a value is
"tidak ada data", never a low class.  Plain Python (no Qt): the state holds the choice, the map
and the layers panel read :class:`PwsLegend`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from ilp_gis.monitoring import pws
from ilp_gis.monitoring.periods import MONTH, parse_period
from layers import symbology as sym


@dataclass(frozen=True)
class PwsTheme:
    indicator: str  # the indicator's key as stored ("k4")
    month: str  # the month as stored ("2026-02")


@dataclass(frozen=True)
class PwsLegend:
    indicator: str
    month: str
    title: str  # "K4 ibu hamil — Februari 2026"
    classes: dict[str, str]  # desa code -> PWS style key (a class or "missing")
    counts: dict[str, int]  # PWS style key -> how many desa
    expected: float  # the expected achievement of the month (0..1)

    def rows(self) -> list[tuple[str, sym.AreaStyle, str]]:
        """The legend's rows, classes first and "tidak ada data" last: (key, style, text with
        the number of desa)."""
        return [(key, style, tr("ui.pws_theme.row", label=style.label,
                                n=self.counts.get(key, 0)))
                for key, style in sym.PWS_STYLES.items()]


def choices(project, inds: pws.Indicators) -> dict[str, list[str]]:
    """{indicator key: its months with values, oldest first} in the catalogue's order; only
    indicators with values."""
    v = pws.values(project)
    if not len(v):
        return {}
    months: dict[str, set[str]] = {}
    for key, month in zip(v["indicator"].astype(str), v["period"].astype(str), strict=True):
        months.setdefault(key, set()).add(month)
    return {k: sorted(months[k], key=lambda m: parse_period(m).sort_key())
            for k in inds.items if k in months}


def theme_for(inds: pws.Indicators, indicator: str, month) -> PwsTheme:
    """A checked choice: ``indicator`` by key or label, ``month`` in any spelling the period parser
    reads (an :class:`ilp_gis.errors.InputError` naming the problem otherwise)."""
    key = inds.get(indicator).key
    m = parse_period(month)
    if m.kind != MONTH:
        raise InputError(tr("pws.need_month", value=str(month)))
    return PwsTheme(key, m.code)


def legend(project, theme: PwsTheme, inds: pws.Indicators) -> PwsLegend:
    """Every desa's PWS class for ``theme`` (read through :func:`pws.ranking`)."""
    v = pws.values(project)
    rows = v[v["indicator"].astype(str) == theme.indicator] if len(v) else v
    r = pws.ranking(project, theme.indicator, theme.month, inds, rows=rows)
    classes = sym.pws_class_theme(r)
    counts: dict[str, int] = {}
    for key in classes.values():
        counts[key] = counts.get(key, 0) + 1
    ind = inds.items[theme.indicator]
    title = tr("ui.pws_theme.title", indicator=ind.label(),
               month=parse_period(theme.month).label())
    return PwsLegend(theme.indicator, theme.month, title, classes, counts,
                     float(r.attrs.get("expected", float("nan"))))


register_catalog("ui", "pws_theme")
