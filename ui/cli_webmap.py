"""``ilp-gis webmap PROJECT.gpkg -o FILE.html``: the offline web map of a project."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "webmap"
HELP_KEY = "cli.webmap.help"
INPUTS = (Input("project"),)
OUTPUTS = (Output("output", suffixes=(".html", ".htm")),)


def add_arguments(parser) -> None:
    parser.add_argument("project", help=tr("cli.webmap.project"))
    parser.add_argument("-o", "--output", required=True, help=tr("cli.webmap.output"))
    parser.add_argument("--online-basemap", action="store_true",
                        help=tr("cli.webmap.online_basemap"))
    parser.add_argument("--colour-by", "--color-by", dest="colour_by", default=None,
                        help=tr("cli.webmap.colour_by", choices=_colour_choices()))
    parser.add_argument("--pws", dest="pws_indicator", metavar=tr("cli.webmap.pws_metavar"),
                        default=None, help=tr("cli.webmap.pws"))


def run(args) -> int:
    from pathlib import Path

    from layers.project_file import open_project
    from reports.webmap import DEFAULT_COLOUR_BY, export_webmap
    from ui.progress import TerminalProgress

    project = open_project(Path(args.project))
    bar = TerminalProgress(tr("cli.webmap.progress"))
    try:
        out = export_webmap(project, None, Path(args.output),
                            online_basemap=args.online_basemap, lang=getattr(args, "lang", None),
                            colour_by=args.colour_by or DEFAULT_COLOUR_BY,
                            pws_indicator=getattr(args, "pws_indicator", None), progress=bar)
    finally:
        bar.done()
    print(tr("cli.written", path=str(out)))
    return 0


def _colour_choices() -> str:
    return "pustu_coverage, puskesmas_coverage, pustu_travel_coverage, puskesmas_travel_coverage, " \
           "posyandu_coverage, kader_ok_share, dist_pustu_km, dist_puskesmas_km, " \
           "travel_pustu_min, travel_puskesmas_min, posyandu_deficit, priority_score"


register_catalog("ui", "cli_webmap")
