"""``ilp-gis import PROJECT.gpkg ...``: create or update a project from the files Dinkes has."""

from __future__ import annotations

import argparse

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output, positive_int

NAME = "import"
HELP_KEY = "cli.import.help"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.import.opt.project"))
    parser.add_argument("--kabupaten", metavar=tr("cli.import.file"),
                        help=tr("cli.import.opt.kabupaten"))
    parser.add_argument("--kecamatan", metavar=tr("cli.import.file"),
                        help=tr("cli.import.opt.kecamatan"))
    parser.add_argument("--desa", metavar=tr("cli.import.file"), help=tr("cli.import.opt.desa"))
    parser.add_argument("--facilities", nargs="+", action="extend", default=[],
                        metavar="[TYPE=]FILE", help=tr("cli.import.opt.facilities"))
    parser.add_argument("--roads", metavar=tr("cli.import.file"), help=tr("cli.import.opt.roads"))
    parser.add_argument("--budget", metavar=tr("cli.import.file"),
                        help=tr("cli.import.opt.budget"))
    parser.add_argument("--staffing", metavar=tr("cli.import.file"),
                        help=tr("cli.import.opt.staffing"))
    parser.add_argument("--coe", metavar=tr("cli.import.file"), help=tr("cli.import.opt.coe"))
    parser.add_argument("--population-raster", metavar="FILE.tif",
                        help=tr("cli.import.opt.population_raster"))
    parser.add_argument("--population-total", nargs="+", action="extend", default=[],
                        metavar="LEVEL[:AREA][=N]", help=tr("cli.import.opt.population_total"))
    parser.add_argument("--spread-by", choices=("auto", "families", "area"), default="auto",
                        help=tr("cli.import.opt.spread_by"))
    parser.add_argument("--desa-data", nargs="+", action="extend", default=[], dest="desa_data",
                        metavar=tr("cli.import.file"), help=tr("cli.import.opt.desa_data"))
    parser.add_argument("--context", nargs="+", action="extend", default=[],
                        metavar=tr("cli.import.file"), help=tr("cli.import.opt.context"))
    parser.add_argument("--sheet", help=tr("cli.import.opt.sheet"))
    parser.add_argument("--header-row", type=positive_int, metavar="N",
                        help=tr("cli.import.opt.header_row"))
    parser.add_argument("--map", nargs="+", action="extend", default=[], dest="map",
                        metavar="ROLE.FIELD=COLUMN", help=tr("cli.import.opt.map"))
    parser.add_argument("--report", metavar="REPORT.csv|.xlsx", help=tr("cli.import.opt.report"))
    parser.add_argument("--new", action="store_true", help=tr("cli.import.opt.new"))


def split_facility_arg(text: str) -> tuple[str | None, str]:
    """``"pustu=data/pustu.csv"`` → ``("pustu", "data/pustu.csv")``; a Windows drive letter
    (``C:\\...``) or a plain path has no type."""
    left, sep, right = text.partition("=")
    if sep and left and "/" not in left and "\\" not in left and not left.endswith(":"):
        return left.strip(), right.strip()
    return None, text


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ilp_gis.errors import InputError
    from ilp_gis.i18n import get_language
    from ilp_gis.project import Project
    from layers.atomic import all_or_nothing
    from layers.columns import parse_map_options
    from layers.importing import import_files
    from layers.project_file import open_project, save_project
    from ui.progress import TerminalProgress

    target = Path(args.project)
    facilities = [split_facility_arg(f) for f in args.facilities]
    if not any((args.kabupaten, args.kecamatan, args.desa, facilities, args.roads,
                args.budget, args.staffing, args.coe, args.population_raster, args.population_total,
                args.desa_data, args.context)):
        raise InputError(tr("cli.import.nothing"))
    mappings = parse_map_options(args.map)
    project = open_project(target) if target.exists() and not args.new else Project()
    bar = TerminalProgress(tr("cli.import.progress"))
    try:
        report = import_files(project, kabupaten=args.kabupaten, kecamatan=args.kecamatan,
                              desa=args.desa, facilities=facilities, roads=args.roads,
                              budget=args.budget, staffing=args.staffing, coe=args.coe,
                              population_raster=args.population_raster,
                              population_totals=args.population_total,
                              spread_by=args.spread_by, desa_data=args.desa_data,
                              context=args.context,
                              mappings=mappings, lang=get_language(),
                              sheet=args.sheet, header_row=args.header_row, progress=bar)
    finally:
        bar.done()
    with all_or_nothing():  # the project and its report, or neither
        path = save_project(project, target)
        out = report.write(args.report) if args.report else None
    print(report.summary())
    for written in (path, out):
        if written is not None:
            print(tr("cli.written", path=str(written)))
    return 0


def _facility_path(text: str) -> str:
    return split_facility_arg(text)[1]


INPUTS = (Input("project", must_exist=False),
          *(Input(dest) for dest in ("kabupaten", "kecamatan", "desa", "roads", "budget",
                                     "staffing", "coe", "population_raster")),
          Input("facilities", path_of=_facility_path), Input("desa_data"), Input("context"))
OUTPUTS = (Output("project", suffixes=(".gpkg",)), Output("report", suffixes=(".csv", ".xlsx")))

register_catalog("ui", "cli_import")
