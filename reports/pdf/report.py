"""The one entry point of the PDF outputs: ``build_report(project, result, path, kind=...)``.

Kinds: ``plan`` (A4 report), ``summary`` (no per-kecamatan maps), ``wallmap`` (one A3 sheet),
``atlas`` (overview then a sheet per kecamatan).  Imports the section and sheet modules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.units import mm
from reportlab.platypus import NextPageTemplate, PageBreak

from ilp_gis.errors import InputError
from ilp_gis.i18n import language, normalize_language, register_catalog, tr
from ilp_gis.jobs import checkpoint, sub_progress
from layers.atomic import atomic_write
from reports.options import PRIORITY_TOP
from reports.pdf.appendix import appendix_section
from reports.pdf.areas import (
    kabupaten_table,
    kecamatan_section,
    kecamatan_table,
    province_table,
)
from reports.pdf.budget import budget_section
from reports.pdf.coe import coe_section
from reports.pdf.context import (
    ReportContext,
    kecamatan_order,
    resolve_kecamatan,
    spans_provinces,
)
from reports.pdf.cover import cover_section
from reports.pdf.document import PlanDoc, canvas_maker
from reports.pdf.figures import figures_section
from reports.pdf.front import FrontMatter, budget_year_of, check_logo, contents
from reports.pdf.gaps import gap_annex, gap_table, map_page
from reports.pdf.monev import build_monev
from reports.pdf.network import network_section
from reports.pdf.posyandu import posyandu_section
from reports.pdf.scenarios import scenario_section
from reports.pdf.sheets import MAX_DESA_PAGES, build_sheets
from reports.source import get_result
from reports.styles import stylesheet

register_catalog("reports", "pdf.report")


KINDS = ("plan", "summary", "wallmap", "atlas", "monev")
PAPERS = {"A4": A4, "A3": A3}
DEFAULT_PAPER = {"plan": "A4", "summary": "A4", "wallmap": "A3", "atlas": "A3", "monev": "A4"}

MAX_KECAMATAN_SECTIONS = 700
"""A plan report or atlas has a section or sheet per kecamatan: it is made for a district or
a province (a large kabupaten has ~60 kecamatan, the largest province ~670).  Above this many, the command stops before
any work and points to the summary report or to one kecamatan."""

PLAN_GAP_ROWS_MAX = 2000
"""The plan report's annex prints the full priority list up to this many places (~50 pages);
above, the top rows and a note that the XLSX tables hold them all."""


def build_report(project, result=None, path=None, *, kind: str = "plan", paper: str | None = None,
                 kecamatan: str | None = None, lang: str | None = None, progress=None,
                 is_cancelled=None, author: str | None = None,
                 date: dt.date | None = None, per_desa: bool = False,
                 front: FrontMatter | None = None, as_of=None, month=None,
                 indicators=None, top: int | None = PRIORITY_TOP) -> Path:
    """Write a PDF report of ``project`` (and its analysis ``result``) to ``path``.

    ``result`` None → the analysis stored in the project, else a fresh analysis.  ``paper``
    None → the kind's default (A4 for plan/summary, A3 for wallmap/atlas).  ``kecamatan`` (a
    name or code) restricts the output to one kecamatan.  ``per_desa`` (atlas only) makes
    one page per desa instead of one per kecamatan.  ``front`` (budget year, preparing unit,
    signer, logo) fills the cover of a plan.  ``top`` is how many places the priority list of
    a plan or summary shows (0 or None: all of them); a plan prints the full list in an annex.
    ``monev`` (the Monev report, see :mod:`reports.pdf.monev`) reads ``as_of`` (the date
    actions are judged on), ``month`` (the PWS month) and ``indicators`` (the PWS definitions)
    and needs no analysis.  Returns the path written.
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
        if per_desa and kind != "atlas":
            raise InputError(tr("report.per_desa_needs_atlas"))
        front = front or FrontMatter()
        if front.logo is not None:  # checked before any work
            front.logo = check_logo(front.logo)
        if kind == "monev":
            try:
                return build_monev(project, path, pagesize=PAPERS[paper_name], as_of=as_of,
                                   month=month, indicators=indicators, author=author,
                                   date=date, front=front, progress=progress,
                                   is_cancelled=is_cancelled)
            except OSError as exc:
                raise InputError(tr("report.cannot_write", file=str(path), why=str(exc))) \
                    from exc
        _check_size(project, kind, kecamatan)
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 0):
            raise InputError(tr("report.bad_top", top=top))
        if per_desa and not kecamatan and len(project.layer("desa")) > MAX_DESA_PAGES:
            raise InputError(tr("report.too_many_desa_pages", n=len(project.layer("desa")),
                                limit=MAX_DESA_PAGES))
        result = get_result(project, result, progress=sub_progress(progress, 0.0, 0.2),
                            is_cancelled=is_cancelled)
        kec_code = resolve_kecamatan(project, result, kecamatan)
        ctx = ReportContext(project, result, kind, PAPERS[paper_name], kec_code, author,
                            date or dt.date.today())
        ctx.per_desa = per_desa
        ctx.top = int(top) if top else None
        front.budget_year = budget_year_of(ctx, front.budget_year)
        ctx.front = front
        checkpoint(progress, is_cancelled, 0.2, tr("report.progress.build"))
        prog = sub_progress(progress, 0.2, 1.0)

        def write(tmp: Path) -> None:
            if kind in ("plan", "summary"):
                _build_document(ctx, tmp, prog, is_cancelled)
            else:
                build_sheets(ctx, tmp, prog, is_cancelled)

        try:
            atomic_write(path, write)
        except OSError as exc:
            raise InputError(tr("report.cannot_write", file=str(path), why=str(exc))) from exc
        checkpoint(progress, None, 1.0)
    return path


def _check_size(project, kind: str, kecamatan: str | None) -> None:
    """Stop before any work when a plan or atlas would need a section per kecamatan for more
    kecamatan than such a document is made for."""
    if kind not in ("plan", "atlas") or kecamatan:
        return
    kec = project.layers.get("kecamatan")
    n = 0 if kec is None else len(kec)
    if kind == "plan" and n and spans_provinces(kec["code"]):
        return  # a national plan summarises per province and kabupaten: no kecamatan sections
    if n > MAX_KECAMATAN_SECTIONS:
        raise InputError(tr("report.too_many_kecamatan", n=n, kind=tr(f"report.title.{kind}"),
                            limit=MAX_KECAMATAN_SECTIONS))


def _build_document(ctx: ReportContext, target: Path, progress, is_cancelled) -> None:
    st = stylesheet()
    doc = PlanDoc(target, ctx, st)
    width = doc.pagesize[0] - 36 * mm
    story: list = []
    story += cover_section(ctx, st, width)
    story += [NextPageTemplate("body"), PageBreak()]
    if ctx.kind == "plan":  # the document a Kepala Dinas signs: contents with page numbers
        story += contents(st) + [PageBreak()]
    story += figures_section(ctx, st, width)
    checkpoint(progress, is_cancelled, 0.05)
    if ctx.kind == "plan":
        story += map_page(ctx, st)
        checkpoint(progress, is_cancelled, 0.1)
    plan = ctx.kind == "plan"
    story += gap_table(ctx, st, width, limit=ctx.top if ctx.top else (
        PLAN_GAP_ROWS_MAX if plan or ctx.national else None), annex=plan and not ctx.national)
    if ctx.national:  # per province and kabupaten; the per-desa detail is in the XLSX
        story += province_table(ctx, st, width)
        story += kabupaten_table(ctx, st, width)
    elif ctx.kind == "summary":
        if ctx.multi_district:
            story += kabupaten_table(ctx, st, width)
        else:
            story += kecamatan_table(ctx, st, width)
    else:
        if ctx.multi_district:
            story += kabupaten_table(ctx, st, width)
        elif not ctx.kec_code:
            story += kecamatan_table(ctx, st, width)
        codes = [ctx.kec_code] if ctx.kec_code else kecamatan_order(ctx)
        for i, code in enumerate(codes):
            checkpoint(progress, is_cancelled, 0.1 + 0.3 * i / max(len(codes), 1),
                       tr("report.progress.kecamatan", name=ctx.kec_names.get(code, code)))
            story += kecamatan_section(ctx, st, width, code)
    story += network_section(ctx, st, width)
    story += coe_section(ctx, st, width)


    story += posyandu_section(ctx, st, width)
    story += budget_section(ctx, st, width)
    story += scenario_section(ctx, st, width)
    story += appendix_section(ctx, st, width)
    if plan and not ctx.national:
        story += gap_annex(ctx, st, width, shown=ctx.top, max_rows=PLAN_GAP_ROWS_MAX)
    checkpoint(progress, is_cancelled, 0.45, tr("report.progress.write"))

    passes = 2 if ctx.kind == "plan" else 1  # the contents need a second pass
    est = {"n": 1, "pass": -1}

    def cb(typ, value):
        if typ == "SIZE_EST":  # sent at the start of each pass
            est["n"] = max(int(value), 1)
            est["pass"] = min(est["pass"] + 1, passes - 1)
        elif typ == "PROGRESS":
            done = (max(est["pass"], 0) + min(1.0, value / est["n"])) / passes
            checkpoint(progress, is_cancelled, 0.45 + 0.55 * done)

    doc.setProgressCallBack(cb)
    if ctx.kind == "plan":  # two passes: the contents learn the page numbers
        doc.multiBuild(story, canvasmaker=canvas_maker(ctx))
    else:
        doc.build(story, canvasmaker=canvas_maker(ctx))
