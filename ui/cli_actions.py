"""``ilp-gis actions list|add|spend|export|import PROJECT.gpkg ...``: the action plan (rencana
aksi) — each action's kegiatan, place, penanggung jawab, mitra, schedule, budget, status and
realised spending; the XLSX for the Pokja meeting and reading the edited workbook back."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr
from ui.cli_paths import Input, Output

NAME = "actions"
HELP_KEY = "cli.actions.help"
INPUTS = (Input("project"), Input("file", when=lambda a: a.action == "import"))
OUTPUTS = (Output("project", suffixes=(".gpkg",),
                  when=lambda a: a.action in ("add", "spend", "import")),
           Output("file", suffixes=(".xlsx",), when=lambda a: a.action == "export"))


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar=tr("cli.actions.action"),
                                parser_class=type(parser))

    def cmd(name: str):
        p = sub.add_parser(name, help=tr(f"cli.actions.{name}"),
                           description=tr(f"cli.actions.{name}"))
        p.add_argument("project", metavar="PROJECT.gpkg", help=tr("cli.actions.opt.project"))
        return p

    lst = cmd("list")
    lst.add_argument("--as-of", metavar=tr("cli.actions.metavar.date"),
                     help=tr("cli.actions.opt.as_of"))
    add = cmd("add")
    add.add_argument("--kegiatan", required=True, help=tr("cli.actions.opt.kegiatan"))
    add.add_argument("--jenis", dest="activity", help=tr("cli.actions.opt.activity"))
    add.add_argument("--desa", help=tr("cli.actions.opt.desa"))
    add.add_argument("--fasilitas", dest="fac_id", help=tr("cli.actions.opt.fac"))
    add.add_argument("--pj", dest="responsible", help=tr("cli.actions.opt.responsible"))
    add.add_argument("--mitra", dest="partners", help=tr("cli.actions.opt.partners"))
    add.add_argument("--mulai", dest="start", metavar=tr("cli.actions.metavar.date"),
                     help=tr("cli.actions.opt.start"))
    add.add_argument("--selesai", dest="end", metavar=tr("cli.actions.metavar.date"),
                     help=tr("cli.actions.opt.end"))
    add.add_argument("--anggaran", dest="budget_amount", metavar="RP",
                     help=tr("cli.actions.opt.budget"))
    add.add_argument("--sumber", dest="funding_source", help=tr("cli.actions.opt.source"))
    add.add_argument("--status", help=tr("cli.actions.opt.status"))
    spend = cmd("spend")
    spend.add_argument("id", metavar=tr("cli.actions.metavar.id"), help=tr("cli.actions.opt.id"))
    spend.add_argument("--tanggal", dest="date", required=True,
                       metavar=tr("cli.actions.metavar.date"), help=tr("cli.actions.opt.date"))
    spend.add_argument("--jumlah", dest="amount", required=True, metavar="RP",
                       help=tr("cli.actions.opt.amount"))
    spend.add_argument("--catatan", dest="note", default="", help=tr("cli.actions.opt.note"))
    exp = cmd("export")
    exp.add_argument("file", metavar="FILE.xlsx", help=tr("cli.actions.opt.file_out"))
    exp.add_argument("--as-of", metavar=tr("cli.actions.metavar.date"),
                     help=tr("cli.actions.opt.as_of"))
    imp = cmd("import")
    imp.add_argument("file", metavar="FILE.xlsx", help=tr("cli.actions.opt.file_in"))


def _amount(text):
    from ilp_gis.budget import parse_amount
    from ilp_gis.errors import InputError

    if text is None:
        return None
    p = parse_amount(text)
    if not p.ok or p.value is None:
        raise InputError(tr("cli.actions.bad_amount", value=str(text), why=p.message))
    return p.value


def run(args) -> int:
    from ilp_gis.i18n import format_number, format_percent
    from ilp_gis.monitoring import actions as A
    from layers.project_file import open_project, save_project

    project = open_project(args.project)
    if args.action == "list":
        prog = A.progress(project, args.as_of)
        t = prog.actions
        if not len(t):
            print(tr("cli.actions.none"))
            return 0
        print(tr("cli.actions.title", date=prog.as_of.isoformat(), n=format_number(len(t)),
                 late=format_number(int(t["late"].sum()))))
        for r in t.itertuples():
            print(tr("cli.actions.line", id=r.action_id, kegiatan=r.kegiatan,
                     status=A.ActionStatus(r.status).label,
                     budget=format_number(r.budget_amount), spent=format_number(r.spent),
                     share=format_percent(r.spent_share), end=r.end or "–",
                     late=(" — " + tr("cli.actions.late", days=format_number(r.days_late)))
                     if r.late else ""))
        return 0
    if args.action == "add":
        from ilp_gis.budget import parse_activity, parse_source

        fields = {k: getattr(args, k) for k in ("kegiatan", "desa", "fac_id", "responsible",
                                                 "partners", "start", "end", "status")}
        desa = fields.pop("desa")
        if desa:
            match = project.desa[(project.desa["code"] == desa) |
                                 (project.desa["name"].str.lower() == desa.strip().lower())]
            if len(match) != 1:
                from ilp_gis.errors import InputError

                raise InputError(tr("cli.actions.bad_desa", desa=desa, n=len(match)))
            fields["desa_code"] = match["code"].iloc[0]
        if args.activity:
            fields["activity"] = parse_activity(args.activity).value
        if args.funding_source:
            fields["funding_source"] = parse_source(args.funding_source).value
        fields["budget_amount"] = _amount(args.budget_amount)
        aid = A.add_action(project, **fields)
        save_project(project)
        print(tr("cli.actions.added", id=aid, path=str(project.path)))
        return 0
    if args.action == "spend":
        A.record_spending(project, args.id, args.date, _amount(args.amount), args.note)
        save_project(project)
        print(tr("cli.actions.spent", id=args.id, amount=format_number(_amount(args.amount))))
        return 0
    if args.action == "export":
        from reports.action_plan_xlsx import write_action_plan

        path = write_action_plan(project, args.file, as_of=args.as_of)
        print(tr("cli.written", path=str(path)))
        return 0
    from layers.action_plan_import import read_action_plan

    added, updated, payments, report = read_action_plan(args.file, project)
    project.append_import_report(report)
    save_project(project)
    print(tr("cli.actions.imported", added=added, updated=updated, payments=payments))
    for r in report[report["status"] == "skipped"].itertuples():
        print(f"  {tr('cli.actions.row', row=r.row)}: {r.message}")
    return 0


register_catalog("ui", "cli_actions")
