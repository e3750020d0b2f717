"""The PWS choropleth of the web map with a period slider: one indicator's achievement and PWS
class for every desa in every month with values, written into the page (no request when the
file is opened) and drawn by ``ILP.periodLayer`` (``reports/data/webmap_periods.js``).

May import ``ilp_gis`` (monitoring, i18n, errors) and ``layers.symbology``.
"""

from __future__ import annotations

import math

from ilp_gis.errors import InputError
from ilp_gis.i18n import get_language, register_catalog, tr
from ilp_gis.monitoring import pws
from ilp_gis.monitoring.periods import parse_period
from layers import symbology as sym

register_catalog("reports", "webmap.periods")


def pws_indicator_key(project, indicator: str | None,
                      inds: pws.Indicators) -> str | None:
    """The indicator the slider shows: ``indicator`` (its key or label; an error naming the
    known ones when unknown or without values), else the first of the catalogue with values,
    else ``None`` (the project has no PWS values: no slider)."""
    v = pws.values(project)
    have = set(v["indicator"].astype(str)) if len(v) else set()
    if indicator is None:
        return next((k for k in inds.items if k in have), None)
    key = inds.get(indicator).key
    if key not in have:
        raise InputError(tr("webmap.pws.no_values", indicator=inds.items[key].label(),
                            known=", ".join(inds.items[k].label() for k in inds.items
                                            if k in have) or tr("common.missing")))
    return key


def period_payload(project, key: str, inds: pws.Indicators) -> dict:
    """What the page's slider reads: the desa codes, and per month its code, label, expected
    achievement and, aligned with the codes, each desa's achievement (0..1, ``None`` for no
    data) and PWS class (``None`` for no data)."""
    v = pws.values(project)
    rows = v[v["indicator"] == key]
    months = sorted(set(rows["period"].astype(str)))
    codes = project.desa["code"].astype(str).tolist()
    periods = []
    for month in months:
        r = pws.ranking(project, key, month, inds, rows=rows).set_index("desa_code")
        r = r.reindex(codes)
        ach = [round(float(a), 4) if a is not None and math.isfinite(float(a)) else None
               for a in r["achievement"]]
        cls = [None if (k := sym.pws_style_key(c)) == sym.PWS_MISSING else k
               for c in r["pws_class"]]
        periods.append({"c": month, "l": parse_period(month).label(),
                        "e": round(float(r.attrs.get("expected", math.nan)), 4), "a": ach,
                        "k": cls})
    styles = {k: {"fill": s.fill, "stroke": s.stroke, "opacity": s.fill_opacity}
              for k, s in sym.PWS_STYLES.items()}
    return {"indicator": inds.items[key].label(), "codes": codes, "p": periods,
            "styles": styles, "labels": {k: s.label for k, s in sym.PWS_STYLES.items()},
            "order": list(pws.CLASSES) + ["missing"],
            "t": {"title": tr("webmap.pws.title", indicator=inds.items[key].label()),
                  "period": tr("webmap.pws.period"), "expected": tr("webmap.pws.expected"),
                  "missing": tr("common.missing"), "dec": "," if get_language() == "id"
                  else "."}}
