"""``ilp-gis report PROJECT.gpkg -o FILE.pdf``: the PDF planning report, wall map or atlas."""

from __future__ import annotations

from ilp_gis.i18n import register, tr

NAME = "report"
HELP_KEY = "cli.report.help"

register({
    "cli.report.help": ("buat laporan PDF: laporan perencanaan, peta dinding A3 atau atlas",
                        "make a PDF: planning report, A3 wall map or atlas"),
    "cli.report.project": ("berkas proyek (.gpkg)", "project file (.gpkg)"),
    "cli.report.output": ("berkas PDF keluaran", "output PDF file"),
    "cli.report.kind": ("jenis: plan (laporan, bawaan), summary (ringkasan tanpa peta per "
                        "kecamatan), wallmap (peta dinding), atlas (satu halaman per kecamatan)",
                        "kind: plan (report, default), summary (no per-kecamatan maps), wallmap "
                        "(wall map), atlas (one page per kecamatan)"),
    "cli.report.paper": ("ukuran kertas A4 atau A3 (bawaan: A4 untuk laporan, A3 untuk peta)",
                         "paper size A4 or A3 (default: A4 for reports, A3 for maps)"),
    "cli.report.kecamatan": ("hanya satu kecamatan (nama atau kode)",
                             "only one kecamatan (name or code)"),
    "cli.report.author": ("nama penyusun untuk blok judul peta",
                          "author name for the map title block"),
})


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
    from reports.pdf_report import build_report
    from ui.progress import TerminalProgress

    project = open_project(args.project)
    progress = TerminalProgress(tr(f"report.title.{args.kind}"))
    path = build_report(project, None, args.output, kind=args.kind, paper=args.paper,
                        kecamatan=args.kecamatan, lang=getattr(args, "lang", None),
                        progress=progress, author=args.author)
    progress.done()
    print(tr("cli.written", path=str(path)))
    return 0
