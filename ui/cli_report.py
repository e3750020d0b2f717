"""``ilp-gis report PROJECT.gpkg -o FILE.pdf``: the PDF planning report, wall map or atlas;
``--kind monev`` the Monev report (PDF, or its sheets with ``-o FILE.xlsx``).  ``--db DATABASE
[--kabupaten PP.KK]`` reads the project from the shared store instead (only read)."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from reports.options import PRIORITY_TOP
from ui.cli_paths import Input, Output
from ui.cli_source import SOURCE_INPUTS, add_source_arguments

NAME = "report"
HELP_KEY = "cli.report.help"
INPUTS = (*SOURCE_INPUTS, Input("logo"),
          Input("indicators", when=lambda a: getattr(a, "indicators", None)))
OUTPUTS = (Output("output", suffixes=(".pdf",), when=lambda a: a.kind != "monev"),
           Output("output", suffixes=(".pdf", ".xlsx"), when=lambda a: a.kind == "monev"))

register_catalog("ui", "cli_report")


def add_arguments(parser) -> None:
    add_source_arguments(parser, tr("cli.report.project"))
    parser.add_argument("-o", "--output", required=True, help=tr("cli.report.output"))
    parser.add_argument("--kind", default="plan", choices=("plan", "summary", "wallmap", "atlas", "monev"),
                        help=tr("cli.report.kind"))
    parser.add_argument("--paper", default=None, type=str.upper, choices=("A4", "A3"),
                        help=tr("cli.report.paper"))
    parser.add_argument("--kecamatan", default=None, help=tr("cli.report.kecamatan"))
    parser.add_argument("--author", default=None, help=tr("cli.report.author"))
    parser.add_argument("--per-desa", action="store_true", dest="per_desa",
                        help=tr("cli.report.per_desa"))
    parser.add_argument("--ta", type=int, default=None, metavar=tr("cli.report.year"),
                        help=tr("cli.report.ta"))
    parser.add_argument("--unit", default=None, metavar=tr("cli.report.text"),
                        help=tr("cli.report.unit"))
    parser.add_argument("--signer", default=None, metavar=tr("cli.report.name"),
                        help=tr("cli.report.signer"))
    parser.add_argument("--nip", default=None, help=tr("cli.report.nip"))
    parser.add_argument("--top", type=int, default=PRIORITY_TOP, metavar="N",
                        help=tr("cli.report.top", n=PRIORITY_TOP))
    parser.add_argument("--logo", default=None, metavar="LOGO.png", help=tr("cli.report.logo"))
    parser.add_argument("--as-of", default=None, dest="as_of", metavar=tr("cli.report.date"),
                        help=tr("cli.report.as_of"))
    parser.add_argument("--month", default=None, metavar=tr("cli.report.month_metavar"),
                        help=tr("cli.report.month"))
    parser.add_argument("--indicators", default=None, metavar="FILE.toml",
                        help=tr("cli.report.indicators"))


def run(args) -> int:
    from reports.pdf import build_report
    from reports.pdf.front import FrontMatter
    from ui.progress import TerminalProgress

    project, result = _open(args)
    if args.kind == "monev" and str(args.output).lower().endswith(".xlsx"):
        return _monev_xlsx(project, args)
    progress = TerminalProgress(tr(f"report.title.{args.kind}"))
    path = build_report(project, result, args.output, kind=args.kind, paper=args.paper,
                        kecamatan=args.kecamatan, lang=getattr(args, "lang", None),
                        progress=progress, author=args.author, per_desa=args.per_desa,
                        front=FrontMatter(budget_year=args.ta, unit=args.unit,
                                          signer=args.signer, signer_nip=args.nip,
                                          logo=args.logo),
                        as_of=args.as_of, month=args.month, indicators=_indicators(args),
                        top=args.top)
    progress.done()
    print(tr("cli.written", path=str(path)))
    return 0


def _open(args):
    """``(project, stored result or None)`` as the report reads them (the file or the store,
    see :func:`ui.cli_source.open_with_result`): the roads and settlements left unread from a
    file when the project holds its analysis and the inputs it was made with (no report draws
    them; a national project: ~1.3 M features), else every layer and no result (the report's
    analysis then runs in memory, nothing stored)."""
    from ui.cli_source import open_source, open_with_result
    from ui.cli_tables import UNREAD_LAYERS

    if args.kind == "monev":  # needs no analysis
        return open_source(args), None
    return open_with_result(args, UNREAD_LAYERS)


def _indicators(args):
    if not getattr(args, "indicators", None):
        return None
    from ilp_gis.monitoring.pws import load_indicators

    return load_indicators(args.indicators)


def _monev_xlsx(project, args) -> int:
    from ilp_gis.analysis import load_result
    from ilp_gis.i18n import language, normalize_language
    from ilp_gis.monitoring.monev import monev_summary
    from reports.monev_xlsx import write_monev_xlsx

    lang = getattr(args, "lang", None)
    with language(normalize_language(lang) if lang else None):
        m = monev_summary(project, as_of=args.as_of, month=args.month,
                          indicators=_indicators(args), result=load_result(project))
        path = write_monev_xlsx(project, m, args.output)
        print(tr("cli.written", path=str(path)))
    return 0
