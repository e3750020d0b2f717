"""``ilp-gis tables PROJECT.gpkg -o FILE.xlsx``: every table of the analysis as a workbook."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "tables"
HELP_KEY = "cli.tables.help"
INPUTS = (Input("project"),)
OUTPUTS = (Output("output", suffixes=(".xlsx",)),)

register_catalog("ui", "cli_tables")


def add_arguments(parser) -> None:
    parser.add_argument("project", help=tr("cli.tables.project"))
    parser.add_argument("-o", "--output", required=True, help=tr("cli.tables.output"))


def run(args) -> int:
    from layers.project_file import open_project
    from reports.xlsx_tables import write_tables

    project = open_project(args.project)
    path = write_tables(project, None, args.output, lang=getattr(args, "lang", None))
    print(tr("cli.written", path=str(path)))
    return 0
