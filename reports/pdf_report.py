"""PDF outputs for paper: the planning report, the A3 Pokja wall map and the atlas.

``build_report(project, result, path, kind=...)`` is the one entry point (the desktop app and
``ilp-gis report`` call it).  Kinds:

``plan``     A4 portrait planning report: cover, key ILP figures with a chart, the kabupaten map
             with the gaps, the gap table by priority, one section per kecamatan (map + table),
             the network table, the budget section, an appendix with the rules and the import
             report.
``summary``  The same figures and kabupaten/kecamatan-level tables without per-kecamatan maps
             (for provincial/national projects with thousands of desa).
``wallmap``  One A3 landscape sheet for the Pokja wall: map, title block, legend, scale bar,
             north arrow, graticule, locator inset.
``atlas``    An overview sheet then one sheet per kecamatan.

PDFs are written with ``invariant=1`` (reproducible bytes for the same input and date) and
atomically (a temporary file beside the target, then ``os.replace``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)

from ilp_gis.errors import InputError
from ilp_gis.i18n import (
    format_date,
    format_number,
    format_percent,
    format_rupiah,
    language,
    normalize_language,
    register_catalog,
    tr,
)
from ilp_gis.jobs import checkpoint, sub_progress
from ilp_gis.model import META_SOURCES, Activity, BudgetStatus, FundingSource, ImportStatus
from layers import symbology as sym
from layers.atomic import atomic_write
from reports import mapdraw
from reports.source import budget_sync_for, get_result
from reports.styles import (
    ACCENT,
    BANNER,
    FONT,
    FONT_BOLD,
    INK,
    MUTED,
    RULE,
    esc,
    register_fonts,
    stylesheet,
    table_style,
)

KINDS = ("plan", "summary", "wallmap", "atlas")
PAPERS = {"A4": A4, "A3": A3}
DEFAULT_PAPER = {"plan": "A4", "summary": "A4", "wallmap": "A3", "atlas": "A3"}

register_catalog("reports", "pdf_report")


# ==================================================================================================
# Entry point
# ==================================================================================================
def build_report(project, result=None, path=None, *, kind: str = "plan", paper: str | None = None,
                 kecamatan: str | None = None, lang: str | None = None, progress=None,
                 is_cancelled=None, author: str | None = None,
                 date: dt.date | None = None) -> Path:
    """Write a PDF report of ``project`` (and its analysis ``result``) to ``path``.

    ``result`` None → the analysis stored in the project, else a fresh analysis.  ``paper``
    None → the kind's default (A4 for plan/summary, A3 for wallmap/atlas).  ``kecamatan`` (a
    name or code) restricts the output to one kecamatan.  Returns the path written.
    """
    if path is None:
        raise InputError(tr("report.cannot_write", file="–", why="no path"))
    path = Path(path)
    kind = (kind or "plan").strip().lower()
    if kind not in KINDS:
        raise InputError(tr("report.bad_kind", kind=kind, kinds=", ".join(KINDS)))
    paper_name = (paper or DEFAULT_PAPER[kind]).strip().upper()
    if paper_name not in PAPERS:
        raise InputError(tr("report.bad_paper", paper=paper))
    with language(normalize_language(lang) if lang else None):
        result = get_result(project, result, progress=sub_progress(progress, 0.0, 0.2),
                            is_cancelled=is_cancelled)
        kec_code = resolve_kecamatan(project, result, kecamatan)
        ctx = _Context(project, result, kind, PAPERS[paper_name], kec_code, author,
                       date or dt.date.today())
        checkpoint(progress, is_cancelled, 0.2, tr("report.progress.build"))
        prog = sub_progress(progress, 0.2, 1.0)

        def write(tmp: Path) -> None:
            if kind in ("plan", "summary"):
                _build_document(ctx, tmp, prog, is_cancelled)
            else:
                _build_sheets(ctx, tmp, prog, is_cancelled)

        try:
            atomic_write(path, write)
        except OSError as exc:
            raise InputError(tr("report.cannot_write", file=str(path), why=str(exc))) from exc
        checkpoint(progress, None, 1.0)
    return path


def resolve_kecamatan(project, result, name: str | None) -> str | None:
    """The kecamatan code for ``name`` (a name or a code, any case), or None for all."""
    if name is None or str(name).strip() == "":
        return None
    table = kecamatan_names(project, result)
    want = str(name).strip().lower()
    for code, kname in table.items():
        if want == str(code).lower() or want == str(kname).strip().lower():
            return code
    raise InputError(tr("report.bad_kecamatan", name=name,
                        known=", ".join(sorted(str(v) for v in table.values()))))


def kecamatan_names(project, result) -> dict[str, str]:
    names: dict[str, str] = {}
    kec = project.kecamatan
    if len(kec):
        names.update({c: n for c, n in zip(kec["code"], kec["name"], strict=False) if isinstance(c, str)})
    if result is not None and result.kecamatan is not None and len(result.kecamatan):
        for c, n in zip(result.kecamatan["code"], result.kecamatan["name"], strict=False):
            if isinstance(c, str):
                names.setdefault(c, n if isinstance(n, str) else c)
    if not names and result is not None and len(result.desa):
        for c, n in zip(result.desa["kecamatan_code"], result.desa["kecamatan_name"], strict=False):
            if isinstance(c, str):
                names.setdefault(c, n if isinstance(n, str) else c)
    return names


class _Context:
    def __init__(self, project, result, kind, pagesize, kec_code, author, date) -> None:
        self.project = project
        self.result = result
        self.kind = kind
        self.pagesize = pagesize
        self.kec_code = kec_code
        self.author = author
        self.date = date
        self.kec_names = kecamatan_names(project, result)
        self.title = tr(f"report.title.{kind}")
        self.place = project.title
        if kec_code:
            self.place = f"{project.title} — {tr('area.kecamatan')} {self.kec_names[kec_code]}"
        desa = result.desa
        gaps = result.gaps
        if kec_code:
            desa = desa[desa["kecamatan_code"] == kec_code]
            gaps = gaps[gaps["kecamatan_code"] == kec_code]
        self.desa = desa
        self.gaps = gaps
        self._map_data = None
        k = result.kecamatan
        self.multi_district = kec_code is None and k is not None and len(k) > 0 and \
            kabupaten_key(k["code"]).nunique() > 1

    def map_data(self, kecamatan: str | None = None):
        """Map layers projected once, then cut per kecamatan."""
        if self._map_data is None:
            self._map_data = mapdraw.prepare_map_data(self.project, self.result)
        return self._map_data.subset(kecamatan) if kecamatan else self._map_data

    @property
    def source_text(self) -> str:
        items = _sources(self.project)
        return "; ".join(items) if items else tr("report.no_sources")


def _sources(project) -> list[str]:
    raw = project.meta_json(META_SOURCES, None)
    out: list[str] = []
    if isinstance(raw, dict):
        if raw and all(isinstance(v, dict) for v in raw.values()):  # {role: {file, date}}
            raw = [dict(v, role=k) for k, v in raw.items()]
        else:  # facts about how the data was made (e.g. the sample generator)
            return [", ".join(f"{k}: {v}" for k, v in raw.items())] if raw else []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                name = item.get("name") or item.get("file") or item.get("path") or ""
                name = Path(str(name)).name if name else ""
                role = item.get("role") or item.get("layer") or ""
                when = (item.get("date") or item.get("as_of") or item.get("modified")
                        or item.get("imported") or "")
                when = _date_text(when)
                bits = [b for b in (str(role), name) if b]
                text = ": ".join(bits)
                out.append(f"{text} ({when})" if when else text)
            elif item:
                out.append(str(item))
    elif isinstance(raw, str) and raw:
        out.append(raw)
    return out


def _rules_origin(origin: str) -> str:
    """Where the rules came from, for people."""
    text = str(origin or "")
    changed = text.endswith(" (changed)")
    base = text.removesuffix(" (changed)")
    if base == "rules_default.toml":
        out = tr("report.rules_origin.default")
    elif base == "project":
        out = tr("report.rules_origin.project")
    else:
        out = Path(base).name or base
    return out + (" " + tr("report.rules_origin.changed") if changed else "")


def _date_text(value) -> str:
    if not value:
        return ""
    try:
        return format_date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


# ==================================================================================================
# Formatting helpers
# ==================================================================================================
def _num(v, decimals: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return "–"
    try:
        return format_number(float(v), decimals)
    except (TypeError, ValueError):
        return str(v)


def _year(v) -> str:
    """A year without a thousands separator (2027, never 2.027)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return "–" if v is None else str(v)
    return "–" if math.isnan(f) else str(int(f))


def _share(part, whole):
    try:
        p, w = float(part), float(whole)
    except (TypeError, ValueError):
        return float("nan")
    if not (math.isfinite(p) and math.isfinite(w)) or w <= 0:
        return float("nan")
    return p / w


def _gap_label(kind) -> str:
    return tr(f"gap.{kind}") if isinstance(kind, str) else "–"


def _value_text(v, unit) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    dec = 0 if f.is_integer() else 1
    return format_number(f, dec) + (f" {unit}" if isinstance(unit, str) and unit else "")


# ==================================================================================================
# Planning report (platypus)
# ==================================================================================================
class _PlanDoc(BaseDocTemplate):
    """Cover, portrait body and landscape map page templates; header/footer on every page."""

    def __init__(self, filename, ctx: _Context, styles, **kw) -> None:
        self.ctx = ctx
        self.st = styles
        pw, ph = ctx.pagesize
        super().__init__(str(filename), pagesize=ctx.pagesize, title=f"{ctx.title} — {ctx.place}",
                         author=ctx.author or "ILP-GIS", subject=tr("report.subtitle"),
                         creator="ILP-GIS", invariant=1, leftMargin=18 * mm,
                         rightMargin=18 * mm, topMargin=20 * mm, bottomMargin=18 * mm, **kw)
        margin = 18 * mm
        body = Frame(margin, 18 * mm, pw - 2 * margin, ph - 38 * mm, id="body",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        cover = Frame(margin, 25 * mm, pw - 2 * margin, ph - 50 * mm, id="cover",
                      leftPadding=0, rightPadding=0)
        lw, lh = landscape(ctx.pagesize)
        land = Frame(margin, 16 * mm, lw - 2 * margin, lh - 34 * mm, id="land",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate("cover", [cover], onPage=self._cover_page, pagesize=ctx.pagesize),
            PageTemplate("body", [body], onPage=self._body_page, pagesize=ctx.pagesize),
            PageTemplate("landscape", [land], onPage=self._body_page,
                         pagesize=landscape(ctx.pagesize)),
        ])

    def _cover_page(self, canv, doc) -> None:
        pw, ph = canv._pagesize
        canv.saveState()
        canv.setFillColor(ACCENT)
        canv.rect(0, ph - 14 * mm, pw, 14 * mm, stroke=0, fill=1)
        canv.setFillColor(colors.white)
        canv.setFont(FONT_BOLD, 10)
        canv.drawString(18 * mm, ph - 9 * mm, tr("app.title"))
        if self.ctx.project.fictional:
            canv.setFillColor(BANNER)
            canv.rect(0, 0, pw, 16 * mm, stroke=0, fill=1)
            canv.setFillColor(colors.white)
            canv.setFont(FONT_BOLD, 14)
            canv.drawCentredString(pw / 2, 6 * mm, tr("app.fictional"))
        canv.restoreState()

    def _body_page(self, canv, doc) -> None:
        pw, ph = canv._pagesize
        canv.saveState()
        canv.setFont(FONT, 7.5)
        canv.setFillColor(MUTED)
        canv.drawString(18 * mm, ph - 12 * mm, f"{self.ctx.title} — {self.ctx.place}")
        canv.drawRightString(pw - 18 * mm, ph - 12 * mm, format_date(self.ctx.date))
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(18 * mm, ph - 14 * mm, pw - 18 * mm, ph - 14 * mm)
        canv.line(18 * mm, 12 * mm, pw - 18 * mm, 12 * mm)
        canv.drawString(18 * mm, 8 * mm, tr("app.name"))
        canv.drawRightString(pw - 18 * mm, 8 * mm, tr("report.page", n=doc.page))
        if self.ctx.project.fictional:
            canv.setFillColor(BANNER)
            canv.setFont(FONT_BOLD, 7.5)
            canv.drawCentredString(pw / 2, 8 * mm, tr("app.fictional"))
        canv.restoreState()


def _build_document(ctx: _Context, target: Path, progress, is_cancelled) -> None:
    st = stylesheet()
    doc = _PlanDoc(target, ctx, st)
    width = doc.pagesize[0] - 36 * mm
    story: list = []
    story += _cover(ctx, st)
    story += [NextPageTemplate("body"), PageBreak()]
    story += _figures(ctx, st, width)
    checkpoint(progress, is_cancelled, 0.05)
    if ctx.kind == "plan":
        story += _map_page(ctx, st)
        checkpoint(progress, is_cancelled, 0.1)
    story += _gap_table(ctx, st, width, limit=None if ctx.kind == "plan" else 100)
    if ctx.kind == "summary":
        if ctx.multi_district:
            story += _kabupaten_table(ctx, st, width)
        else:
            story += _kecamatan_table(ctx, st, width)
    else:
        if ctx.multi_district:
            story += _kabupaten_table(ctx, st, width)
        codes = [ctx.kec_code] if ctx.kec_code else _kecamatan_order(ctx)
        for i, code in enumerate(codes):
            checkpoint(progress, is_cancelled, 0.1 + 0.3 * i / max(len(codes), 1),
                       tr("report.progress.kecamatan", name=ctx.kec_names.get(code, code)))
            story += _kecamatan_section(ctx, st, width, code)
    story += _network(ctx, st, width)
    story += _budget(ctx, st, width)
    story += _appendix(ctx, st, width)
    checkpoint(progress, is_cancelled, 0.45, tr("report.progress.write"))

    est = {"n": 1}

    def cb(typ, value):
        if typ == "SIZE_EST":
            est["n"] = max(int(value), 1)
        elif typ == "PROGRESS":
            checkpoint(progress, is_cancelled, 0.45 + 0.55 * min(1.0, value / est["n"]))

    doc.setProgressCallBack(cb)
    doc.build(story, canvasmaker=_canvas_maker(ctx))


def _canvas_maker(ctx: _Context):
    """Canvases that start in the embedded font (no unembedded Helvetica in the PDF)."""
    lang = "id" if normalize_language(None) == "id" else "en"

    def make(*args, **kw):
        kw["initialFontName"] = kw.get("initialFontName") or FONT
        kw["initialFontSize"] = kw.get("initialFontSize") or 10
        kw.setdefault("lang", lang)
        return Canvas(*args, **kw)

    return make


def _cover(ctx: _Context, st) -> list:
    out: list = [Spacer(1, 30 * mm), Paragraph(esc(ctx.title), st.title),
                 Paragraph(esc(ctx.place), st.subtitle),
                 Paragraph(esc(tr("report.subtitle")), st.body), Spacer(1, 6 * mm),
                 Paragraph(esc(tr("report.date", date=format_date(ctx.date))), st.body)]
    if ctx.author:
        out.append(Paragraph(esc(tr("map.author", author=ctx.author)), st.body))
    if ctx.project.fictional:
        banner = Table([[Paragraph(esc(tr("app.fictional")) + " / FICTIONAL DATA"
                                   if tr("app.fictional") != "FICTIONAL DATA"
                                   else "DATA FIKTIF / FICTIONAL DATA", st.banner)]],
                       colWidths=[120 * mm])
        banner.setStyle([("BACKGROUND", (0, 0), (-1, -1), BANNER),
                         ("FONTNAME", (0, 0), (-1, -1), FONT),
                         ("TOPPADDING", (0, 0), (-1, -1), 6),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 8)])
        out += [Spacer(1, 8 * mm), banner,
                Paragraph(esc(tr("report.fictional_note")), st.note)]
    out += [Spacer(1, 14 * mm), Paragraph(esc(tr("report.sources")), st.h2)]
    sources = _sources(ctx.project)
    if sources:
        out += [Paragraph("• " + esc(s), st.body) for s in sources]
    else:
        out.append(Paragraph(esc(tr("report.no_sources")), st.body))
    out.append(Paragraph(esc(tr("report.rules_used", origin=_rules_origin(ctx.project.rules.origin))), st.small))
    return out


def key_figures(ctx: _Context) -> dict:
    """The figures of the key-figure page (whole district, or the chosen kecamatan)."""
    s = ctx.result.summary or {}
    d = ctx.desa
    rules = ctx.project.rules
    if ctx.kec_code is None and s:
        desa_total = s.get("desa_total", len(d))
        without_pustu = s.get("desa_without_pustu", int((~d["has_pustu"].astype(bool)).sum()))
        without_pos = s.get("desa_without_posyandu", int((d["n_posyandu"] == 0).sum()))
        fac_counts = s.get("facility_counts", {})
        pop_total = s.get("population_total", float(d["population"].sum()))
        pop_dist = s.get("population_within_distance", {})
        pop_time = s.get("population_within_travel_time", {})
        coe_ok, coe_total = s.get("coe_meeting_threshold"), s.get("coe_total")
    else:
        desa_total = len(d)
        without_pustu = int((~d["has_pustu"].fillna(False).astype(bool)).sum())
        without_pos = int((d["n_posyandu"] == 0).sum())
        fac_counts = {"puskesmas": int(d["n_puskesmas"].sum()), "pustu": int(d["n_pustu"].sum()),
                      "posyandu": int(d["n_posyandu"].sum())}
        pop_total = float(d["population"].sum(min_count=1))
        pop_dist = {"pustu": float(d["pop_within_pustu_km"].sum(min_count=1)),
                    "puskesmas": float(d["pop_within_puskesmas_km"].sum(min_count=1))}
        pop_time = {k: float(d[f"pop_within_{k}_min"].sum(min_count=1))
                    for k in ("pustu", "puskesmas")
                    if f"pop_within_{k}_min" in d and d[f"pop_within_{k}_min"].notna().any()}
        coe_ok = coe_total = None
        coe = ctx.result.coe
        if coe is not None and len(coe) and "meets" in coe:
            ids = set(ctx.project.facilities.loc[
                ctx.project.facilities["kecamatan_code"] == ctx.kec_code, "fac_id"])
            sel = coe[coe["fac_id"].isin(ids)]
            coe_ok, coe_total = int(sel["meets"].fillna(False).astype(bool).sum()), len(sel)
    staff = d["pustu_nakes_ok"] if "pustu_nakes_ok" in d else pd.Series(dtype="boolean")
    staff = pd.Series(staff).astype("boolean")
    return {
        "desa_total": desa_total, "desa_without_pustu": without_pustu,
        "desa_with_pustu": desa_total - without_pustu if desa_total is not None else None,
        "desa_without_posyandu": without_pos, "facility_counts": fac_counts,
        "posyandu": float(d["n_posyandu"].sum()) if len(d) else 0.0,
        "posyandu_needed": float(d["posyandu_needed"].sum(min_count=1)) if len(d) else np.nan,
        "population_total": pop_total, "pop_dist": pop_dist or {}, "pop_time": pop_time or {},
        "coe_ok": coe_ok, "coe_total": coe_total,
        "staff_ok": int(staff.fillna(False).sum()), "staff_known": int(staff.notna().sum()),
        "gaps": len(ctx.gaps),
        "outside": s.get("facilities_outside_boundaries") if ctx.kec_code is None else None,
        "network_problems": s.get("network_problems", {}) if ctx.kec_code is None else {},
        "pustu_km": rules.value("limit.pustu_distance_km", 5.0),
        "pkm_km": rules.value("limit.puskesmas_distance_km", 10.0),
        "pustu_min": rules.value("limit.pustu_travel_min", 30.0),
    }


def _figures(ctx: _Context, st, width: float) -> list:
    f = key_figures(ctx)
    out: list = [Paragraph(esc(tr("report.h.figures")), st.h1)]
    if ctx.kec_code:
        out.append(Paragraph(esc(tr("report.kecamatan_scope",
                                    name=ctx.kec_names[ctx.kec_code])), st.note))
    shares = {
        "desa_pustu": _share(f["desa_with_pustu"], f["desa_total"]),
        "posyandu": min(1.0, _share(f["posyandu"], f["posyandu_needed"]))
        if math.isfinite(_share(f["posyandu"], f["posyandu_needed"])) else float("nan"),
        "pop_pustu": _share(f["pop_dist"].get("pustu"), f["population_total"]),
        "pop_pkm": _share(f["pop_dist"].get("puskesmas"), f["population_total"]),
        "coe": _share(f["coe_ok"], f["coe_total"]),
    }
    kpis = [
        (f"{_num(f['desa_with_pustu'])} / {_num(f['desa_total'])}",
         tr("report.kpi.desa_pustu"), format_percent(shares["desa_pustu"])),
        (f"{_num(f['posyandu'])} / {_num(f['posyandu_needed'])}", tr("report.kpi.posyandu"),
         format_percent(_share(f["posyandu"], f["posyandu_needed"]))),
        (format_percent(shares["pop_pustu"]), tr("report.kpi.pop_pustu", km=f["pustu_km"]), ""),
        (format_percent(shares["pop_pkm"]), tr("report.kpi.pop_pkm", km=f["pkm_km"]), ""),
        (format_percent(_share(f["pop_time"].get("pustu"), f["population_total"]))
         if f["pop_time"].get("pustu") is not None else "–",
         tr("report.kpi.pop_travel", min=f["pustu_min"]) if f["pop_time"]
         else tr("report.kpi.no_travel"), ""),
        (f"{_num(f['coe_ok'])} / {_num(f['coe_total'])}", tr("report.kpi.coe"),
         format_percent(shares["coe"])),
        (f"{_num(f['staff_ok'])} / {_num(f['staff_known'])}", tr("report.kpi.staff"), ""),
        (_num(f["gaps"]), tr("report.kpi.gaps"), ""),
        (_num(f["facility_counts"].get("puskesmas")), sym.FACILITY_STYLES["puskesmas"].label, ""),
    ]
    cells = []
    for value, label, extra in kpis:
        cell = [Paragraph(esc(value), st.kpi_value), Paragraph(esc(label), st.kpi_label)]
        if extra:
            cell.append(Paragraph(esc(extra), st.kpi_label))
        cells.append(cell)
    grid = Table([cells[0:3], cells[3:6], cells[6:9]], colWidths=[width / 3] * 3)
    grid.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("BOX", (0, 0), (-1, -1), 0.5, RULE), ("INNERGRID", (0, 0), (-1, -1), 0.5,
                                                          RULE),
                   ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 6),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])
    out += [grid, Spacer(1, 5 * mm), _chart(shares, width)]
    # the exact figures (the same numbers as summary.json)
    rows = [[tr("report.fig.item"), tr("report.fig.value")],
            [tr("report.fig.desa_total"), _num(f["desa_total"])],
            [tr("report.fig.desa_without_pustu"), _num(f["desa_without_pustu"])],
            [tr("report.fig.desa_without_posyandu"), _num(f["desa_without_posyandu"])]]
    for t in ("puskesmas", "pustu", "posyandu"):
        rows.append([tr("report.fig.facilities", type=sym.FACILITY_STYLES[t].label),
                     _num(f["facility_counts"].get(t))])
    rows.append([tr("report.fig.posyandu_needed"), _num(f["posyandu_needed"])])
    rows.append([tr("report.fig.population"), _num(f["population_total"])])
    for t in ("pustu", "puskesmas"):
        v = f["pop_dist"].get(t)
        rows.append([tr("report.fig.pop_within", type=sym.FACILITY_STYLES[t].label),
                     f"{_num(v)} ({format_percent(_share(v, f['population_total']))})"])
    for t, v in f["pop_time"].items():
        rows.append([tr("report.fig.pop_within_min", type=sym.FACILITY_STYLES[t].label),
                     f"{_num(v)} ({format_percent(_share(v, f['population_total']))})"])
    if f["outside"] is not None:
        rows.append([tr("report.fig.outside"), _num(f["outside"])])
    for kind, n in (f["network_problems"] or {}).items():
        rows.append([f"{tr('report.fig.network_problems')}: {_problem_label(kind)}", _num(n)])
    rows.append([tr("report.fig.coe"), f"{_num(f['coe_ok'])} / {_num(f['coe_total'])}"])
    t = Table(rows, colWidths=[width * 0.62, width * 0.38], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out += [Spacer(1, 4 * mm), t]
    return out


def _problem_label(kind) -> str:
    from ilp_gis.i18n import has

    key = f"network.kind.{kind}"
    return tr(key) if has(key) else str(kind).replace("_", " ")


def _chart(shares: dict, width: float) -> Drawing:
    keys = ["desa_pustu", "posyandu", "pop_pustu", "pop_pkm", "coe"]
    labels = [tr(f"report.chart.{k}") for k in keys]
    values = [100.0 * shares[k] if math.isfinite(shares[k]) else 0.0 for k in keys]
    h = 120
    d = Drawing(width, h)
    d.add(String(0, h - 10, tr("report.chart.title"), fontName=FONT_BOLD, fontSize=9,
                 fillColor=INK))
    c = HorizontalBarChart()
    c.x, c.y = 120, 8
    c.width, c.height = width - 170, h - 30
    c.data = [list(reversed(values))]
    c.categoryAxis.categoryNames = list(reversed(labels))
    c.categoryAxis.labels.fontName = FONT
    c.categoryAxis.labels.fontSize = 7.5
    c.categoryAxis.labels.boxAnchor = "e"
    c.categoryAxis.labels.dx = -4
    c.valueAxis.valueMin, c.valueAxis.valueMax, c.valueAxis.valueStep = 0, 100, 20
    c.valueAxis.labels.fontName = FONT
    c.valueAxis.labels.fontSize = 7
    c.valueAxis.visibleGrid = True
    c.valueAxis.gridStrokeColor = colors.HexColor("#d5d8dc")
    c.bars[0].fillColor = colors.HexColor(sym.COVERAGE_RAMP[3])
    c.bars[0].strokeColor = None
    c.barLabelFormat = lambda v: format_number(v, 0) + "%"
    c.barLabels.fontName = FONT
    c.barLabels.fontSize = 7
    c.barLabels.boxAnchor = "w"
    c.barLabels.dx = 3
    d.add(c)
    missing = [lab for k, lab in zip(keys, labels, strict=False) if not math.isfinite(shares[k])]
    if missing:
        d.add(String(c.x, 0, "– " + tr("common.missing") + ": " + ", ".join(missing),
                     fontName=FONT, fontSize=6.5, fillColor=MUTED))
    return d


def _map_page(ctx: _Context, st) -> list:
    data = ctx.map_data(ctx.kec_code)
    lw, lh = landscape(ctx.pagesize)
    fw, fh = lw - 36 * mm, lh - 34 * mm
    title = Paragraph(esc(tr("report.h.map") + " — " + ctx.place), st.h1)
    note = Paragraph(esc(tr("report.map_note")), st.note)
    mh = fh - 19 * 1.0 - 14 - 22
    unit = ctx.pagesize[0] / A4[0]
    fig = mapdraw.MapFlowable(data, fw, mh, opts=mapdraw.MapOptions(
        label_size=5.0 * unit, symbol_scale=0.9 * unit), legend_width=150 * unit)
    return [NextPageTemplate("landscape"), PageBreak(), title, fig, note,
            NextPageTemplate("body"), PageBreak()]


def _kecamatan_order(ctx: _Context) -> list[str]:
    return sorted(ctx.kec_names, key=lambda c: (str(ctx.kec_names[c]), c))


def _cell(text, style):
    """A table cell: short text as a plain string (fast), longer text as a wrapping Paragraph."""
    text = "" if text is None else str(text)
    if len(text) <= 16 and style.fontName == FONT and style.alignment == 0:
        return text
    return Paragraph(esc(text), style)


def gap_rows(gaps) -> pd.DataFrame:
    """Gaps grouped per place (a desa, else the kecamatan), most urgent first: rank, desa,
    kecamatan, the gap kinds (severest first), their count, score."""
    if gaps is None or not len(gaps):
        return pd.DataFrame(columns=["rank", "desa", "kecamatan", "kinds", "n", "score"])
    g = pd.DataFrame(gaps.drop(columns="geometry", errors="ignore"))
    g["_sev"] = g["kind"].map(sym.GAP_SEVERITY).fillna(99)
    g["_rank"] = pd.to_numeric(g["priority_rank"], errors="coerce")
    g["_score"] = pd.to_numeric(g["priority_score"], errors="coerce")
    place = g["desa_code"].where(g["desa_code"].notna() & (g["desa_code"] != ""),
                                 "kec:" + g["kecamatan_code"].astype(str))
    g = g.assign(_place=place).sort_values(["_sev"], kind="stable")
    out = g.groupby("_place", sort=False).agg(
        rank=("_rank", "min"), desa=("desa_name", "first"), kecamatan=("kecamatan_name", "first"),
        kinds=("kind", lambda s: list(dict.fromkeys(s))), n=("kind", "size"),
        score=("_score", "max"), sev=("_sev", "min"))
    out["_r"] = out["rank"].where(out["rank"] > 0, 0).fillna(1e12)
    return out.sort_values(["_r", "sev"], kind="stable").drop(columns=["_r", "sev"])


def _gap_table(ctx: _Context, st, width: float, *, limit: int | None) -> list:
    out: list = [Paragraph(esc(tr("report.h.gaps")), st.h1)]
    gaps = ctx.gaps
    if gaps is None or not len(gaps):
        return out + [Paragraph(esc(tr("report.no_gaps")), st.body)]
    rows_df = gap_rows(gaps)
    n = len(rows_df)
    out.append(Paragraph(esc(tr("report.gaps_intro", n=len(gaps), places=n)), st.note))
    if limit is not None and n > limit:
        rows_df = rows_df.head(limit)
        out.append(Paragraph(esc(tr("report.gaps_top", shown=limit, n=n)), st.note))
    head = [tr("report.col.rank"), tr("report.col.desa"), tr("report.col.kecamatan"),
            tr("report.col.kind"), tr("report.col.score")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    for r in rows_df.itertuples(index=False):
        rank = r.rank
        rows.append([
            _num(rank) if not pd.isna(rank) and float(rank) > 0 else "–",
            _cell(r.desa if isinstance(r.desa, str) else "–", st.cell),
            _cell(r.kecamatan if isinstance(r.kecamatan, str) else "–", st.cell),
            _cell("; ".join(_gap_label(k) for k in r.kinds), st.cell),
            _num(r.score, 2),
        ])
    fr = [0.07, 0.2, 0.17, 0.47, 0.09]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    t.setStyle([("ALIGN", (0, 0), (0, -1), "RIGHT"), ("ALIGN", (4, 0), (4, -1), "RIGHT")])
    return out + [t]


def _desa_rows(ctx: _Context, st, desa) -> list:
    head = [tr("report.col.desa"), tr("report.col.population"), tr("report.col.pustu"),
            tr("report.col.posyandu"), tr("report.col.dist_pustu"), tr("report.col.gaps"),
            tr("report.col.rank")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    d = desa.sort_values("name", kind="stable")
    for r in d.itertuples(index=False):
        kinds = [k for k in str(r.gap_kinds or "").split(";") if k]
        pustu = _num(r.n_pustu)
        if getattr(r, "n_pustu_precursor", 0) and not pd.isna(r.n_pustu_precursor) and \
                r.n_pustu_precursor > 0:
            pustu += f" ({_num(r.n_pustu_precursor)}*)"
        rows.append([
            _cell(r.name, st.cell), _num(r.population), pustu,
            f"{_num(r.n_posyandu)} / {_num(r.posyandu_needed)}",
            _num(r.dist_pustu_km, 1),
            _cell(", ".join(_gap_label(k) for k in kinds) or "–", st.cell),
            _num(r.priority_rank),
        ])
    return rows


def _kecamatan_section(ctx: _Context, st, width: float, code: str) -> list:
    name = ctx.kec_names.get(code, code)
    desa = ctx.result.desa[ctx.result.desa["kecamatan_code"] == code]
    gaps_n = int((ctx.result.gaps["kecamatan_code"] == code).sum()) if len(ctx.result.gaps) else 0
    line = tr("report.kec_line", desa=len(desa),
              with_pustu=int(desa["has_pustu"].fillna(False).astype(bool).sum()),
              posyandu=int(desa["n_posyandu"].sum()),
              needed=float(desa["posyandu_needed"].sum(min_count=1))
              if len(desa) else float("nan"), gaps=gaps_n)
    data = ctx.map_data(code)
    fig = mapdraw.MapFlowable(data, width, min(0.9 * width, 300), opts=mapdraw.MapOptions(
        label_size=5.5, edges=True), legend_width=118)
    rows = _desa_rows(ctx, st, desa)
    fr = [0.2, 0.11, 0.08, 0.13, 0.1, 0.31, 0.07]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    t.setStyle([("ALIGN", (5, 1), (5, -1), "LEFT")])
    return [PageBreak(), Paragraph(esc(tr("report.h.kecamatan", name=name)), st.h1),
            Paragraph(esc(line), st.body), fig, Spacer(1, 3 * mm), t]


def _kecamatan_table(ctx: _Context, st, width: float) -> list:
    k = ctx.result.kecamatan
    out: list = [CondPageBreak(60 * mm), Paragraph(esc(tr("report.h.kecamatan_table")), st.h1)]
    if k is None or not len(k):
        return out + [Paragraph(esc(tr("common.missing")), st.body)]
    if ctx.kec_code:
        k = k[k["code"] == ctx.kec_code]
    head = [tr("report.col.kecamatan"), tr("report.col.desa_total"), tr("report.col.with_pustu"),
            tr("report.col.posyandu"), tr("report.col.population"), tr("report.col.pop_pustu"),
            tr("report.col.puskesmas"), tr("report.col.gap_count")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    for r in k.sort_values("name", kind="stable").itertuples(index=False):
        rows.append([_cell(r.name, st.cell), _num(r.desa_total),
                     f"{_num(r.desa_with_pustu)} ({format_percent(_share(r.desa_with_pustu, r.desa_total))})",
                     f"{_num(r.posyandu)} / {_num(r.posyandu_needed)}", _num(r.population),
                     format_percent(_share(r.pop_within_pustu_km, r.population)),
                     _num(r.n_puskesmas), _num(r.gap_count)])
    fr = [0.22, 0.08, 0.13, 0.15, 0.13, 0.12, 0.09, 0.08]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    return out + [t]


def kabupaten_key(codes) -> pd.Series:
    """The district code ``PP.KK`` of Kemendagri kecamatan/desa codes."""
    return pd.Series(codes).astype(str).str.split(".").str[:2].str.join(".")


def _kabupaten_names(ctx: _Context) -> dict[str, str]:
    kab = ctx.project.kabupaten
    if not len(kab) or "code" not in kab:
        return {}
    return {c: n for c, n in zip(kab["code"], kab["name"], strict=False) if isinstance(c, str)}


def _kabupaten_table(ctx: _Context, st, width: float) -> list:
    """Roll-up by district (the first two parts of the kecamatan code) for multi-district data."""
    agg = kabupaten_rollup(ctx.result.kecamatan)
    if not len(agg):
        return []
    names = _kabupaten_names(ctx)
    head = [tr("report.col.kabupaten"), tr("area.kecamatan"), tr("report.col.desa_total"),
            tr("report.col.with_pustu"), tr("report.col.posyandu"), tr("report.col.population"),
            tr("report.col.pop_pustu"), tr("report.col.puskesmas"), tr("report.col.gap_count")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    for r in agg.itertuples(index=False):
        label = f"{names[r.code]} ({r.code})" if r.code in names else r.code
        rows.append([_cell(label, st.cell), _num(r.kecamatan), _num(r.desa_total),
                     f"{_num(r.desa_with_pustu)} ({format_percent(_share(r.desa_with_pustu, r.desa_total))})",
                     f"{_num(r.posyandu)} / {_num(r.posyandu_needed)}", _num(r.population),
                     format_percent(_share(r.pop_within_pustu_km, r.population)),
                     _num(r.n_puskesmas), _num(r.gap_count)])
    fr = [0.21, 0.08, 0.07, 0.13, 0.14, 0.11, 0.1, 0.08, 0.08]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    return [PageBreak(), Paragraph(esc(tr("report.h.kabupaten_table")), st.h1),
            Paragraph(esc(tr("report.kecamatan_in_xlsx")), st.note), t]


def kabupaten_rollup(kecamatan: pd.DataFrame | None) -> pd.DataFrame:
    """The kecamatan roll-up summed per district: code (PP.KK), kecamatan, desa_total,
    desa_with_pustu, posyandu, posyandu_needed, population, pop_within_pustu_km, n_puskesmas,
    gap_count."""
    k = kecamatan
    if k is None or not len(k):
        return pd.DataFrame()

    def total(s):
        return s.sum(min_count=1)

    agg = k.assign(_kab=kabupaten_key(k["code"]).values).groupby("_kab").agg(
        kecamatan=("code", "size"), desa_total=("desa_total", "sum"),
        desa_with_pustu=("desa_with_pustu", "sum"), posyandu=("posyandu", "sum"),
        posyandu_needed=("posyandu_needed", total), population=("population", total),
        pop_within_pustu_km=("pop_within_pustu_km", total),
        n_puskesmas=("n_puskesmas", "sum"), gap_count=("gap_count", "sum"))
    return agg.rename_axis("code").reset_index()


def network_rows(result, kec_names: dict, kec_code: str | None = None) -> list[dict]:
    """One row per Puskesmas: its Pustu and Posyandu counts and problems."""
    g = result.graph
    probs = result.network_problems
    prob_ids: dict[str, int] = {}
    if probs is not None and len(probs) and "fac_ids" in probs:
        for ids in probs["fac_ids"]:
            for fid in _split_ids(ids):
                prob_ids[fid] = prob_ids.get(fid, 0) + 1
    rows = []
    if g is None:
        return rows
    for node, attrs in g.nodes(data=True):
        if attrs.get("type") != "puskesmas":
            continue
        if kec_code and attrs.get("kecamatan_code") != kec_code:
            continue
        pustu = [c for c in g.successors(node) if g.nodes[c].get("type") == "pustu"]
        direct = [c for c in g.successors(node) if g.nodes[c].get("type") == "posyandu"]
        posy = set(direct)
        for p in pustu:
            posy |= {c for c in g.successors(p) if g.nodes[c].get("type") == "posyandu"}
        subtree = {node, *pustu, *posy}
        rows.append({"fac_id": node, "name": attrs.get("name") or node,
                     "kecamatan": kec_names.get(attrs.get("kecamatan_code"), "–"),
                     "pustu": len(pustu), "posyandu": len(posy), "direct": len(direct),
                     "problems": sum(prob_ids.get(f, 0) for f in subtree)})
    rows.sort(key=lambda r: (str(r["kecamatan"]), str(r["name"])))
    return rows


def _split_ids(ids) -> list[str]:
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return []
    if isinstance(ids, (list, tuple, set)):
        return [str(i) for i in ids]
    text = str(ids)
    if text.startswith("["):
        try:
            return [str(i) for i in json.loads(text)]
        except ValueError:
            pass
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def _network(ctx: _Context, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.network")), st.h1)]
    rows_data = network_rows(ctx.result, ctx.kec_names, ctx.kec_code)
    if rows_data and ctx.multi_district:
        return out + _network_by_kabupaten(ctx, st, width, rows_data)
    if not rows_data:
        out.append(Paragraph(esc(tr("report.no_network")), st.body))
    else:
        head = [tr("report.col.puskesmas"), tr("report.col.kecamatan"), tr("report.col.n_pustu"),
                tr("report.col.n_posyandu"), tr("report.col.direct"), tr("report.col.problems")]
        rows = [[_cell(h, st.cell_head) for h in head]]
        for r in rows_data:
            rows.append([_cell(r["name"], st.cell), _cell(r["kecamatan"], st.cell),
                         _num(r["pustu"]), _num(r["posyandu"]), _num(r["direct"]),
                         _num(r["problems"])])
        fr = [0.34, 0.22, 0.1, 0.12, 0.12, 0.1]
        t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
        t.setStyle(table_style(numeric_from=2, n_rows=len(rows)))
        out.append(t)
    probs = ctx.result.network_problems
    out.append(Paragraph(esc(tr("report.h.network_problems")), st.h2))
    if probs is None or not len(probs):
        return out + [Paragraph(esc(tr("report.no_network_problems")), st.body)]
    if ctx.kec_code:
        ids = set(ctx.project.facilities.loc[
            ctx.project.facilities["kecamatan_code"] == ctx.kec_code, "fac_id"])
        probs = probs[[bool(set(_split_ids(x)) & ids) for x in probs["fac_ids"]]]
    if ctx.kind == "summary" and len(probs) > 200:
        out.append(Paragraph(esc(tr("report.problems_top", shown=200, n=len(probs))), st.note))
        probs = probs.head(200)
    rows = [[_cell(tr("report.col.problem_kind"), st.cell_head),
             _cell(tr("report.col.message"), st.cell_head)]]
    for r in probs.itertuples(index=False):
        rows.append([_cell(_problem_label(r.kind), st.cell),
                     _cell(r.message if isinstance(r.message, str) else "", st.cell)])
    t = Table(rows, colWidths=[width * 0.28, width * 0.72], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    return out + [t]


def _network_by_kabupaten(ctx: _Context, st, width: float, rows_data: list[dict]) -> list:
    """Network counts per district, and problem counts per kind (multi-district projects)."""
    g = ctx.result.graph
    kec_of = {r["fac_id"]: g.nodes[r["fac_id"]].get("kecamatan_code") for r in rows_data}
    df = pd.DataFrame(rows_data)
    df["kab"] = kabupaten_key([kec_of[f] for f in df["fac_id"]]).values
    agg = df.groupby("kab").agg(puskesmas=("fac_id", "size"), pustu=("pustu", "sum"),
                                posyandu=("posyandu", "sum"), direct=("direct", "sum"),
                                problems=("problems", "sum"))
    names = _kabupaten_names(ctx)
    head = [tr("report.col.kabupaten"), tr("report.col.puskesmas"), tr("report.col.n_pustu"),
            tr("report.col.n_posyandu"), tr("report.col.direct"), tr("report.col.problems")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    for code, r in agg.iterrows():
        label = f"{names[code]} ({code})" if code in names else code
        rows.append([_cell(label, st.cell), _num(r.puskesmas), _num(r.pustu), _num(r.posyandu),
                     _num(r.direct), _num(r.problems)])
    t = Table(rows, colWidths=[width * x for x in (0.34, 0.12, 0.12, 0.14, 0.15, 0.13)],
              repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out: list = [t, Paragraph(esc(tr("report.h.network_problems")), st.h2)]
    probs = ctx.result.network_problems
    if probs is None or not len(probs):
        return out + [Paragraph(esc(tr("report.no_network_problems")), st.body)]
    counts = probs["kind"].value_counts()
    rows = [[_cell(tr("report.col.problem_kind"), st.cell_head),
             _cell(tr("report.col.lines"), st.cell_head)]]
    rows += [[_cell(_problem_label(k), st.cell), _num(n)] for k, n in counts.items()]
    t = Table(rows, colWidths=[width * 0.6, width * 0.2], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    return out + [t]


def _label(enum_cls, value) -> str:
    try:
        return enum_cls(value).label
    except ValueError:
        return "–" if value is None or (isinstance(value, float) and math.isnan(value)) \
            else str(value)


def _budget(ctx: _Context, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.budget")), st.h1)]
    sync, skipped = budget_sync_for(ctx.project, ctx.result)
    if sync is not None:
        return out + _budget_sync_tables(ctx, st, width, sync)
    if skipped:
        out.append(Paragraph(esc(tr("report.budget_sync_skipped", n=len(ctx.result.gaps))),
                             st.note))
    budget = ctx.project.budget
    if ctx.kec_code and len(budget):
        desa_codes = set(ctx.desa["code"])
        budget = budget[budget["target_desa"].isin(desa_codes)]
    if not len(budget):
        return out + [Paragraph(esc(tr("report.budget_none")), st.body)]
    out.append(Paragraph(esc(tr("report.budget_lines_intro")), st.note))
    out += _totals_table(st, width, budget_totals(budget))
    if ctx.kind == "summary":
        return out + [Paragraph(esc(tr("report.budget_lines_in_xlsx")), st.note)]
    out.append(Paragraph(esc(tr("report.h.budget_lines")), st.h2))
    names = dict(zip(ctx.result.desa["code"], ctx.result.desa["name"], strict=False))
    head = [tr("report.col.source"), tr("report.col.year"), tr("report.col.activity"),
            tr("report.col.target"), tr("report.col.amount"), tr("report.col.status"),
            tr("report.col.note")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    b = budget.sort_values(["source", "year"], kind="stable")
    for r in b.itertuples(index=False):
        target = names.get(r.target_desa, r.target_desa) if isinstance(r.target_desa, str) \
            else (r.target_facility if isinstance(r.target_facility, str) else "–")
        rows.append([_cell(_label(FundingSource, r.source), st.cell), _year(r.year),
                     _cell(_label(Activity, r.activity), st.cell), _cell(target, st.cell),
                     format_rupiah(r.amount), _cell(_label(BudgetStatus, r.status), st.cell),
                     _cell(r.note if isinstance(r.note, str) else "", st.cell)])
    fr = [0.15, 0.07, 0.18, 0.16, 0.16, 0.11, 0.17]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    t.setStyle([("ALIGN", (4, 1), (4, -1), "RIGHT"), ("ALIGN", (1, 1), (1, -1), "RIGHT")])
    return out + [t]


def budget_totals(budget: pd.DataFrame) -> pd.DataFrame:
    """Totals per funding source and year: source, year, amount, lines."""
    if not len(budget):
        return pd.DataFrame(columns=["source", "year", "amount", "lines"])
    g = budget.groupby(["source", "year"], dropna=False)
    return pd.DataFrame({"amount": g["amount"].sum(min_count=1),
                         "lines": g.size()}).reset_index()


def _totals_table(st, width: float, totals: pd.DataFrame) -> list:
    on_gaps = "amount_on_gaps" in totals
    head = [tr("report.col.source"), tr("report.col.year"), tr("report.col.lines"),
            tr("report.col.amount")] + ([tr("report.col.on_gaps")] if on_gaps else [])
    rows = [[_cell(h, st.cell_head) for h in head]]
    for r in totals.itertuples(index=False):
        row = [_cell(_label(FundingSource, r.source), st.cell), _year(r.year), _num(r.lines),
               format_rupiah(r.amount)]
        if on_gaps:
            row.append(format_rupiah(r.amount_on_gaps))
        rows.append(row)
    total = [_cell(tr("report.total"), st.cell_head), "", _num(totals["lines"].sum()),
             format_rupiah(totals["amount"].sum(min_count=1))]
    if on_gaps:
        total.append(format_rupiah(totals["amount_on_gaps"].sum(min_count=1)))
    rows.append(total)
    fr = (0.3, 0.1, 0.1, 0.25, 0.25) if on_gaps else (0.4, 0.15, 0.15, 0.3)
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    t.setStyle([("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT),
                ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)])
    return [t]


def _budget_sync_tables(ctx: _Context, st, width: float, sync) -> list:
    out: list = []
    gf = sync.gap_funding
    desa_codes = set(ctx.desa["code"])
    if ctx.kec_code and len(gf) and "desa_code" in gf:
        gf = gf[gf["desa_code"].isin(desa_codes)]
    counts = gf["funding_state"].value_counts() if len(gf) else pd.Series(dtype=int)
    out.append(Paragraph(esc(tr("report.h.budget_funding")), st.h2))
    out.append(Paragraph(esc(tr("report.budget_state_line", funded=int(counts.get("funded", 0)),
                                partly=int(counts.get("partly", 0)),
                                unfunded=int(counts.get("unfunded", 0)))), st.body))
    df = getattr(sync, "desa_funding", None)
    if ctx.kind == "plan" and df is not None and len(df):
        theme = dict(zip(df["desa_code"], df["funding_state"], strict=False))
        data = ctx.map_data(ctx.kec_code).themed(theme, sym.FUNDING_STYLES,
                                                 tr("report.col.funding_state"))
        out.append(mapdraw.MapFlowable(data, width, min(0.75 * width, 330),
                                       opts=mapdraw.MapOptions(posyandu=False, labels=False),
                                       legend_width=118))
    out += _totals_table(st, width, sync.totals)
    un = sync.unfunded
    if un is not None and len(un):
        if ctx.kec_code and "desa_code" in un:
            un = un[un["desa_code"].isin(desa_codes)]
        limit = 100 if ctx.kind == "plan" else 50
        out.append(Paragraph(esc(tr("report.h.budget_unfunded")), st.h2))
        if len(un) > limit:
            out.append(Paragraph(esc(tr("report.gaps_top", shown=limit, n=len(un))), st.note))
        names = dict(zip(ctx.result.desa["code"], ctx.result.desa["name"], strict=False))
        head = [tr("report.col.rank"), tr("report.col.desa"), tr("report.col.kind"),
                tr("report.col.funding_state"), tr("report.col.amount"),
                tr("report.col.needed"), tr("report.col.shortfall")]
        rows = [[_cell(h, st.cell_head) for h in head]]
        for i, r in enumerate(un.head(limit).to_dict("records"), start=1):
            desa = r.get("desa_name") if isinstance(r.get("desa_name"), str) else \
                names.get(r.get("desa_code"), r.get("desa_code") or "–")
            rows.append([_num(r.get("priority_rank", i)), _cell(desa, st.cell),
                         _cell(_gap_label(r.get("kind")), st.cell),
                         _cell(tr(f"funding_state.{r.get('funding_state', 'unfunded')}"),
                               st.cell),
                         format_rupiah(r.get("amount")), format_rupiah(r.get("needed")),
                         format_rupiah(r.get("shortfall"))])
        fr = (0.07, 0.17, 0.2, 0.13, 0.14, 0.14, 0.15)
        t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
        t.setStyle(table_style(numeric_from=4, n_rows=len(rows)))
        t.setStyle([("ALIGN", (0, 0), (0, -1), "RIGHT")])
        out.append(t)
    return out


def import_summary(import_report: pd.DataFrame) -> pd.DataFrame:
    """Counts of import-report rows by file and status (one column per status)."""
    if import_report is None or not len(import_report):
        return pd.DataFrame()
    table = import_report.pivot_table(index="file", columns="status", values="row",
                                      aggfunc="count", fill_value=0)
    order = [s.value for s in ImportStatus if s.value in table.columns]
    order += [c for c in table.columns if c not in order]
    return table[order].astype(int)


def _appendix(ctx: _Context, st, width: float) -> list:
    out: list = [PageBreak(), Paragraph(esc(tr("report.h.appendix")), st.h1),
                 Paragraph(esc(tr("report.h.rules")), st.h2),
                 Paragraph(esc(tr("report.rules_used", origin=_rules_origin(ctx.project.rules.origin))),
                           st.note)]
    head = [tr("report.col.rule"), tr("report.col.value"), tr("report.col.unit"),
            tr("report.col.rule_source"), tr("report.col.confirmed")]
    rows = [[_cell(h, st.cell_head) for h in head]]
    for rule in ctx.project.rules.all():
        v = rule.value
        dec = 0 if float(v).is_integer() else 2
        rows.append([_cell(rule.name, st.cell), _num(v, dec), _cell(rule.unit, st.cell),
                     _cell(rule.source, st.cell),
                     tr("report.yes") if rule.confirmed else tr("report.no")])
    t = Table(rows, colWidths=[width * x for x in (0.24, 0.08, 0.19, 0.36, 0.13)], repeatRows=1)
    t.setStyle(table_style(n_rows=len(rows)))
    t.setStyle([("ALIGN", (1, 1), (1, -1), "RIGHT")])
    out.append(t)
    out.append(Paragraph(esc(tr("report.h.import")), st.h2))
    summ = import_summary(ctx.project.import_report)
    if not len(summ):
        return out + [Paragraph(esc(tr("report.no_import")), st.body)]
    head = [tr("report.col.file")] + [_label(ImportStatus, c) for c in summ.columns]
    rows = [[_cell(h, st.cell_head) for h in head]]
    for fname, r in summ.iterrows():
        rows.append([_cell(fname, st.cell)] + [_num(v) for v in r.values])
    rest = (width * 0.6) / max(len(summ.columns), 1)
    t = Table(rows, colWidths=[width * 0.4] + [rest] * len(summ.columns), repeatRows=1)
    t.setStyle(table_style(numeric_from=1, n_rows=len(rows)))
    out.append(KeepTogether([t]))
    return out


# ==================================================================================================
# Wall map and atlas (direct canvas, one sheet per page)
# ==================================================================================================
def _build_sheets(ctx: _Context, target: Path, progress, is_cancelled) -> None:
    register_fonts()
    pagesize = landscape(ctx.pagesize)
    canv = _canvas_maker(ctx)(str(target), pagesize=pagesize, invariant=1, pageCompression=1)
    canv.setTitle(f"{ctx.title} — {ctx.place}")
    canv.setAuthor(ctx.author or "ILP-GIS")
    canv.setCreator("ILP-GIS")
    sheets: list[str | None]
    if ctx.kind == "wallmap":
        sheets = [ctx.kec_code]
    elif ctx.kec_code:
        sheets = [ctx.kec_code]
    else:
        sheets = [None] + _kecamatan_order(ctx)
    for i, code in enumerate(sheets):
        checkpoint(progress, is_cancelled, i / len(sheets),
                   tr("report.progress.kecamatan", name=ctx.kec_names.get(code, code))
                   if code else tr("report.progress.build"))
        data = ctx.map_data(code)
        subtitle = ctx.project.title if code is None else \
            f"{tr('area.kecamatan')} {ctx.kec_names.get(code, code)} — {ctx.project.title}"
        text = mapdraw.SheetText(
            title=ctx.title if ctx.kind == "wallmap" or code is None else
            tr("report.title.wallmap"),
            subtitle=subtitle, date=ctx.date, source=ctx.source_text, author=ctx.author,
            fictional=ctx.project.fictional, crs_name=data.crs.name)
        mapdraw.draw_sheet(canv, pagesize, data, text)
        if ctx.kind == "atlas":
            canv.setFont(FONT, 7)
            canv.setFillColor(MUTED)
            canv.drawRightString(pagesize[0] - 12 * mm, 5 * mm, tr("report.page", n=i + 1))
        canv.showPage()
    canv.save()
