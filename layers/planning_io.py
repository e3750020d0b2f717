"""Writing planning outputs: chosen sites (GPKG + CSV) and a summary (JSON).

The optimisation itself (``ilp_gis.siting``) never touches files; this module does.  CSV text goes
through ``layers.safe_cells`` (never a formula in Excel).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio

from layers.atomic import atomic_write
from layers.safe_cells import csv_frame

SITE_COLUMNS = ["order", "cand_id", "kind", "action", "name", "desa_code", "fac_id", "cost", "pop_gained",
                "lon", "lat"]


def sites_table(result) -> pd.DataFrame:
    """The chosen sites as a plain table with lon/lat (EPSG:4326)."""
    s = result.sites
    out = pd.DataFrame(s.drop(columns="geometry"))
    out["lon"] = s.geometry.x.to_numpy() if len(s) else []
    out["lat"] = s.geometry.y.to_numpy() if len(s) else []
    site_type = result.problem.site_type if result.problem is not None else "pustu"
    out["action"] = [  # the scenario action of each site: the CSV reads back as a scenario
        "upgrade_pustu" if k == "upgrade" else ("new_posyandu" if site_type == "posyandu"
                                                else "new_pustu")
        for k in out["kind"].astype(str)] if "kind" in out.columns else []
    if "pop_gained" in out.columns:
        out["pop_gained"] = out["pop_gained"].astype(float).round(1)
    return out[[c for c in SITE_COLUMNS if c in out.columns]]


def write_siting_outputs(result, out_dir: str | Path, *, stem: str = "lokasi_usulan"
                         ) -> list[Path]:
    """Write ``<stem>.gpkg``, ``<stem>.csv`` and ``<stem>_ringkasan.json`` into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gpkg, csv, js = out / f"{stem}.gpkg", out / f"{stem}.csv", out / f"{stem}_ringkasan.json"
    sites = result.sites.copy()
    for col in ("name", "desa_code", "fac_id", "kind", "cand_id"):
        if col in sites.columns:
            sites[col] = sites[col].astype(object).where(sites[col].notna(), None)
    atomic_write(gpkg, lambda p: pyogrio.write_dataframe(sites, p, driver="GPKG", layer="sites",
                                                    geometry_type="Point"))
    table = csv_frame(sites_table(result))
    atomic_write(csv, lambda p: table.to_csv(p, index=False, encoding="utf-8-sig"))
    text = json.dumps(result.summary(), ensure_ascii=False, indent=2, default=str)
    atomic_write(js, lambda p: p.write_text(text, encoding="utf-8"))
    return [gpkg, csv, js]
