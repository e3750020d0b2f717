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


UNREAD_LAYERS = ("roads", "settlements")
"""Layers the workbook never reads once the project holds its analysis (the stored summary
says which inputs it was made with): left unread (a national project: ~1.3 M features)."""


def run(args) -> int:
    from ilp_gis.inputs import Inventory
    from layers.project_file import open_project
    from reports.source import stored_result
    from reports.xlsx_tables import write_tables

    project = open_project(args.project, skip_layers=UNREAD_LAYERS)
    result = stored_result(project)
    if result is None or Inventory.from_summary(result.summary) is None:
        # a fresh analysis, or inputs counted from the layers: every layer read
        project, result = open_project(args.project), None
    path = write_tables(project, result, args.output, lang=getattr(args, "lang", None))
    print(tr("cli.written", path=str(path)))
    return 0
