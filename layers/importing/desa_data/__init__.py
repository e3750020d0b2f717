"""Per-desa tables (``ilp-gis import ... --desa-data FILE``, repeatable; the GUI import's
"Tabel per desa" role): BPS PODES (readable names or raw R-codes), Dinkes recap sheets and any
CSV/XLSX with population, life-cycle groups, families, dusun/RW/RT, facility counts, Posyandu
strata and burden per desa, joined to the desa layer by code or name and written into its
columns (``ilp_gis.model.DESA``).  One job per module: :mod:`.layouts` (fields made of several
columns), :mod:`.values` (cells), :mod:`.match` (the join rule), :mod:`.join` (a file into
the layer).  May import ``ilp_gis`` and ``layers``.
"""

from __future__ import annotations

from pathlib import Path

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr
from layers.importing.desa_data.join import apply_figures, compare_with_facilities, read_desa_table
from layers.importing.desa_data.match import DesaKeys


def import_desa_tables(project, paths, overrides: dict | None, logs: list,
                       used_mappings: dict, file_key, *, tick=None) -> None:
    """Join each table of ``paths`` to ``project``'s desa layer, in order (a later table's
    figure replaces an earlier one for the same desa), one report log per file; the desa
    layer is replaced once all are read (a failing table leaves it as it was)."""
    paths = [Path(p) for p in paths or ()]
    if not paths:
        return
    if not project.has("desa"):
        raise InputError(tr("desa_data.no_desa"), file=paths[0].name)
    desa = project.desa
    keys = DesaKeys(desa, project.kabupaten if project.has("kabupaten") else None)
    facilities = project.facilities if project.has("facilities") else None
    for path in paths:
        if tick is not None:
            tick("import.progress.reading", file=path.name)
        key = file_key(path)
        figures, pos, mapping = read_desa_table(path, desa, overrides, logs, keys=keys,
                                                file_key=key)
        used_mappings[key] = mapping.to_dict()
        desa = apply_figures(desa, figures, pos, path.name)
        compare_with_facilities(desa, facilities, pos, logs[-1])
    project.set_layer("desa", desa)


__all__ = ["DesaKeys", "import_desa_tables", "read_desa_table"]

register_catalog("layers", "importing.desa_data")
