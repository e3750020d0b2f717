"""``ilp-gis report PROJECT.gpkg -o FILE.pdf``: the PDF planning report, wall map or atlas."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "report"
HELP_KEY = "cli.report.help"
INPUTS = (Input("project"),)
OUTPUTS = (Output("output", suffixes=(".pdf",)),)

register_catalog("ui", "cli_report")


def add_arguments(parser) -> None:
    parser.add_argument("project", help=tr("cli.report.project"))
    parser.add_argument("-o", "--output", required=True, help=tr("cli.report.output"))
    parser.add_argument("--kind", default="plan", choices=("plan", "summary", "wallmap", "atlas"),
                        help=tr("cli.report.kind"))
    parser.add_argument("--paper", default=None, type=str.upper, choices=("A4", "A3"),
                        help=tr("cli.report.paper"))
    parser.add_argument("--kecamatan", default=None, help=tr("cli.report.kecamatan"))
    parser.add_argument("--author", default=None, help=tr("cli.report.author"))


def run(args) -> int:
    from layers.project_file import open_project
    from reports.pdf import build_report
    from ui.progress import TerminalProgress

    project = open_project(args.project)
    progress = TerminalProgress(tr(f"report.title.{args.kind}"))
    path = build_report(project, None, args.output, kind=args.kind, paper=args.paper,
                        kecamatan=args.kecamatan, lang=getattr(args, "lang", None),
                        progress=progress, author=args.author)
    progress.done()
    print(tr("cli.written", path=str(path)))
    return 0
