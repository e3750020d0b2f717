"""``ilp-gis webmap PROJECT.gpkg -o FILE.html``: the offline web map of a project;
``--db DATABASE [--kabupaten PP.KK]`` reads the project from the shared store (only read)."""

from __future__ import annotations

import sys

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output
from ui.cli_source import SOURCE_INPUTS, add_source_arguments

NAME = "webmap"
HELP_KEY = "cli.webmap.help"
INPUTS = (*SOURCE_INPUTS, Input("basemap"))
OUTPUTS = (Output("output", suffixes=(".html", ".htm")),)
EXIT_USAGE = 2  # ui.cli.EXIT_USAGE (not imported: ui.cli imports this module)

COLOUR_KEYS = ("pustu_coverage", "puskesmas_coverage", "pustu_travel_coverage",
               "puskesmas_travel_coverage", "posyandu_coverage", "kader_ok_share",
               "dist_pustu_km", "dist_puskesmas_km", "travel_pustu_min", "travel_puskesmas_min",
               "posyandu_deficit", "priority_score", "population")
"""``reports.webmap.COLOUR_FIELDS`` (listed here so that building the parser stays light)."""

UNREAD_LAYERS = ("settlements",)
"""The layer the web map never reads once the project holds its analysis (the stored summary
says which inputs it was made with): left unread (a national project: ~300,000 points)."""


def add_arguments(parser) -> None:
    add_source_arguments(parser, tr("cli.webmap.project"))
    parser.add_argument("-o", "--output", required=True, metavar=tr("cli.webmap.output_metavar"),
                        help=tr("cli.webmap.output"))
    parser.add_argument("--online-basemap", action="store_true",
                        help=tr("cli.webmap.online_basemap"))
    parser.add_argument("--basemap", metavar=tr("cli.webmap.basemap_metavar"), default=None,
                        help=tr("cli.webmap.basemap"))
    parser.add_argument("--colour-by", "--color-by", dest="colour_by", default=None,
                        metavar=tr("cli.webmap.colour_by_metavar"),
                        help=tr("cli.webmap.colour_by", choices=_colour_choices()))
    parser.add_argument("--pws", dest="pws_indicator", metavar=tr("cli.webmap.pws_metavar"),
                        default=None, help=tr("cli.webmap.pws"))


def run(args) -> int:
    from pathlib import Path

    from reports.source import stored_result
    from reports.webmap import DEFAULT_COLOUR_BY, export_webmap
    from reports.webmap.indicators import UnknownColourBy, resolve_colour_by
    from reports.webmap.national import is_national, simplified_notes
    from ui.cli_source import check_source, open_with_result
    from ui.progress import TerminalProgress

    check_source(args)
    try:  # a wrong name is told before any work (the desa result's own columns count too)
        resolve_colour_by(args.colour_by, ())
        known = True
    except UnknownColourBy:
        known = False
    national = _national_file(args)
    if national:  # level of detail: the roads are read only while cut into chunks
        project, stored = _open_national(args)
    else:
        project, stored = open_with_result(args, UNREAD_LAYERS)
    try:
        if not known:
            stored = stored if stored is not None else stored_result(project)
            if stored is not None and stored.desa is not None:
                resolve_colour_by(args.colour_by, list(stored.desa.columns))
        bar = TerminalProgress(tr("cli.webmap.progress"))
        try:
            out = export_webmap(project, stored, Path(args.output),
                                online_basemap=args.online_basemap,
                                basemap=Path(args.basemap) if args.basemap else None,
                                lang=getattr(args, "lang", None),
                                colour_by=args.colour_by or DEFAULT_COLOUR_BY,
                                pws_indicator=getattr(args, "pws_indicator", None),
                                progress=bar)
        finally:
            bar.done()
    except UnknownColourBy as exc:  # a usage error: exit 2, nothing written
        print(tr("cli.error", message=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    print(tr("cli.written", path=str(out)))
    if national or is_national(project.desa):
        _say_detail(out)
        for note in simplified_notes():
            print(note)
    return 0


def _say_detail(page) -> None:
    """Name the detail folder written beside a national page, its files and their size."""
    from ilp_gis.i18n import format_number
    from reports.webmap.detail import detail_folder, detail_note

    folder = detail_folder(page)
    if not folder.is_dir():
        return
    files = [f for f in folder.iterdir() if f.is_file()]
    size = sum(f.stat().st_size for f in files) / 1e6
    print(tr("cli.webmap.detail_written", folder=str(folder), n=format_number(len(files)),
             size=format_number(size, 1)))
    print(detail_note())


NATIONAL_UNREAD_TABLES = ("result_nodes", "result_posyandu_strata")
"""Stored results a national page never reads (``ilp_gis.results.RESULT_TABLES["nodes"]`` and
``["strata"]``): it draws the links from their own table and names their ends from the
facilities; the Posyandu strata (~290,000 rows) are not on the map."""


def _national_file(args) -> bool:
    """Whether the project file holds enough desa for national level of detail (counted from
    the file by SQLite, before any layer is read)."""
    import sqlite3
    from pathlib import Path

    from layers.project_file import feature_count
    from reports.webmap.national import NATIONAL_DESA_MIN
    from ui.cli_source import from_store

    if from_store(args) or not args.project or not Path(args.project).is_file():
        return False
    try:
        n = feature_count(args.project, "desa")
    except sqlite3.Error:  # no readable desa table: the normal path says why
        return False
    return n is not None and n >= NATIONAL_DESA_MIN


def _open_national(args):
    """(project, stored result) of a national file without its roads (read by the export
    while it writes the detail chunks) and the network's node table; every layer when the
    project holds no usable analysis (it is analysed in memory then)."""
    from ilp_gis.inputs import Inventory
    from reports.source import stored_result
    from ui.cli_source import open_source

    project = open_source(args, skip_layers=(*UNREAD_LAYERS, "roads"),
                          skip_tables=NATIONAL_UNREAD_TABLES)
    result = stored_result(project)
    if result is None or Inventory.from_summary(result.summary) is None:
        return open_source(args), None
    return project, result


def _colour_choices() -> str:
    return ", ".join([tr("webmap.colour.auto")]
                     + [tr(f"webmap.colour_short.{key}") for key in COLOUR_KEYS])


register_catalog("ui", "cli_webmap")
register_catalog("reports", "webmap.indicators")  # the figures' short names
