"""``ilp-gis sample OUT.gpkg``: generate the fictional sample district (and its raw sources)."""

from __future__ import annotations

from ilp_gis.i18n import format_number, register_catalog, tr
from ui.cli_paths import Output

NAME = "sample"
HELP_KEY = "cli.sample.help"
OUTPUTS = (Output("out", suffixes=(".gpkg",)), Output("sources", folder=True))


def add_arguments(parser) -> None:
    parser.add_argument("out", metavar="OUT.gpkg", help=tr("cli.sample.opt.out"))
    parser.add_argument("--scale", choices=("kabupaten", "provinsi", "nasional"),
                        default="kabupaten", help=tr("cli.sample.opt.scale"))
    parser.add_argument("--seed", type=int, default=1, help=tr("cli.sample.opt.seed"))
    parser.add_argument("--sources", metavar="DIR", help=tr("cli.sample.opt.sources"))


def run(args) -> int:
    from pathlib import Path

    from layers.project_file import save_project
    from layers.sample import generate_sample, write_sources
    from ui.progress import TerminalProgress

    out = Path(args.out)
    bar = TerminalProgress(tr("cli.sample.generating"))
    try:
        project = generate_sample(args.scale, args.seed, progress=bar)
    finally:
        bar.done()
    bar = TerminalProgress(tr("cli.sample.saving"))
    try:
        save_project(project, out, progress=bar)
    finally:
        bar.done()
    print(tr("cli.written", path=str(out)))
    if args.sources:
        bar = TerminalProgress(tr("cli.sample.writing_sources"))
        try:
            written = write_sources(project, Path(args.sources), seed=args.seed, progress=bar)
        finally:
            bar.done()
        print(tr("cli.sample.sources_written", n=len(written), path=str(args.sources)))
    counts = project.facilities["type"].value_counts()
    print(tr("cli.sample.summary", desa=format_number(len(project.desa)),
             kecamatan=format_number(len(project.kecamatan)),
             puskesmas=format_number(int(counts.get("puskesmas", 0))),
             pustu=format_number(int(counts.get("pustu", 0))),
             posyandu=format_number(int(counts.get("posyandu", 0))),
             roads=format_number(len(project.roads))))
    return 0


register_catalog("ui", "cli_sample")
