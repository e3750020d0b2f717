"""The in-memory project: every layer, the rules, meta facts and stored results.

Plain Python, no file format: ``layers.project_file`` reads and writes it as one GeoPackage.
Views observe it through ``psygnal`` signals (``changed`` is emitted with the layer name).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from psygnal import Signal

from ilp_gis import model
from ilp_gis.rules import Rules, default_rules, parse_rules


@dataclass(frozen=True)
class StoredTables:
    """What the project file at ``path`` holds, as the file layer last read or wrote it: the
    frames themselves (frames are replaced, never edited in place, so an unchanged layer is the
    very same object), the row id of each of their rows, and the file's size and modification
    time then (a file changed by someone else since is written whole again).  ``unread`` names
    the tables the file holds that were left unread when it was opened (a caller that replaces
    them anyway) or let go since (``layers.project_file.release``); a save keeps each one the
    project did not set again."""

    path: Path
    signature: tuple[int, int]
    frames: dict[str, Any] = field(default_factory=dict)
    row_ids: dict[str, Any] = field(default_factory=dict)
    unread: frozenset[str] = frozenset()


class Project:
    """A planning project.

    ``layers`` holds the input layers by the names of :data:`ilp_gis.model.LAYERS` (only those
    present); ``tables`` holds any further named frames the project stores (analysis results,
    scenarios, ...).  Frames are replaced, never edited in place, by :meth:`set_layer`.
    """

    changed = Signal(str)  # layer/table name

    def __init__(self, *, layers: dict[str, Any] | None = None, tables: dict[str, Any] | None = None,
                 meta: dict[str, str] | None = None, rules: Rules | None = None,
                 path: Path | None = None) -> None:
        self.layers: dict[str, Any] = {}
        self.tables: dict[str, Any] = dict(tables or {})
        self.meta: dict[str, str] = dict(meta or {})
        self.rules: Rules = rules or default_rules()
        self.path: Path | None = Path(path) if path else None
        self.unsaved: set[str] = set()  # layers/tables (and "meta") changed since the last save
        self._dirty = False
        self.stored: StoredTables | None = None  # what the file at ``path`` holds
        for name, frame in (layers or {}).items():
            self.layers[name] = model.conform(frame, model.LAYERS[name])
        self.meta.setdefault(model.META_FORMAT_VERSION, str(model.FORMAT_VERSION))

    # -- access --------------------------------------------------------------------------------
    def layer(self, name: str):
        """The layer, or an empty frame with the right columns when the project has none."""
        frame = self.layers.get(name)
        if frame is None:
            return model.empty_frame(model.LAYERS[name])
        return frame

    def has(self, name: str) -> bool:
        frame = self.layers.get(name)
        return frame is not None and len(frame) > 0

    @property
    def kabupaten(self):
        return self.layer("kabupaten")

    @property
    def kecamatan(self):
        return self.layer("kecamatan")

    @property
    def desa(self):
        return self.layer("desa")

    @property
    def facilities(self):
        return self.layer("facilities")

    @property
    def roads(self):
        return self.layer("roads")

    @property
    def settlements(self):
        return self.layer("settlements")

    @property
    def budget(self):
        return self.layer("budget")

    @property
    def import_report(self):
        return self.layer("import_report")

    @property
    def fictional(self) -> bool:
        return self.meta.get(model.META_FICTIONAL, "").lower() in ("1", "true", "yes")

    @property
    def title(self) -> str:
        if self.meta.get(model.META_TITLE):
            return self.meta[model.META_TITLE]
        kab = self.layers.get("kabupaten")
        if kab is not None and len(kab) and isinstance(kab["name"].iloc[0], str):
            return kab["name"].iloc[0]
        return self.path.stem if self.path else "ILP-GIS"

    # -- change --------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        """Whether anything changed since the project was opened or saved."""
        return self._dirty or bool(self.unsaved)

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._dirty = bool(value)
        if not value:
            self.unsaved = set()

    def _changed(self, name: str) -> None:
        self.unsaved.add(name)
        self.changed.emit(name)

    def adopt_stored(self, saved: Project) -> None:
        """``saved`` (a :meth:`snapshot` of this project) was just saved: take over what its
        file now holds; what changed here meanwhile stays unsaved."""
        self.stored = saved.stored
        frames = saved.stored.frames if saved.stored is not None else {}
        current = {**self.tables, **self.layers}
        self.unsaved = {n for n in self.unsaved if n == "meta" and self.meta != saved.meta
                        or n != "meta" and current.get(n) is not frames.get(n)}

    def set_layer(self, name: str, frame, *, conformed: bool = False) -> None:
        """Store a layer, conformed to its spec (``conformed=True``: the caller built it to the
        spec already — columns, order, dtypes, None for missing text — and it is kept as is)."""
        if name in model.LAYERS:
            if not conformed:
                frame = model.conform(frame, model.LAYERS[name])
            self.layers[name] = frame
        else:
            self.tables[name] = frame
        self._changed(name)

    def set_table(self, name: str, frame) -> None:
        if name in model.LAYERS:
            raise ValueError(f"{name!r} is an input layer; use set_layer")
        self.tables[name] = frame
        self._changed(name)

    def set_rules(self, rules: Rules) -> None:
        self.rules = rules
        self.meta[model.META_RULES] = rules.text
        self.unsaved.add("meta")
        self.changed.emit("rules")

    def append_import_report(self, report: pd.DataFrame) -> None:
        old = self.layers.get("import_report")
        frame = report if old is None or not len(old) else pd.concat([old, report],
                                                                     ignore_index=True)
        self.set_layer("import_report", frame)

    # -- meta helpers --------------------------------------------------------------------------
    def meta_json(self, key: str, default: Any = None) -> Any:
        raw = self.meta.get(key)
        if not raw:
            return default
        try:
            return json.loads(raw)
        except ValueError:
            return default

    def set_meta_json(self, key: str, value: Any) -> None:
        self.meta[key] = json.dumps(value, ensure_ascii=False, default=str)
        self.unsaved.add("meta")

    def rules_from_meta(self) -> None:
        text = self.meta.get(model.META_RULES)
        if text:
            self.rules = parse_rules(text, origin="project")

    def snapshot(self) -> Project:
        """A cheap copy sharing the frames (layers are replaced, never edited in place), safe
        to hand to a worker thread while the person goes on editing."""
        p = Project.__new__(Project)
        p.layers = dict(self.layers)
        p.tables = dict(self.tables)
        p.meta = dict(self.meta)
        p.rules = self.rules
        p.path = self.path
        p.unsaved = set(self.unsaved)
        p._dirty = self._dirty
        p.stored = self.stored
        return p

    def copy(self) -> Project:
        """A deep copy for what-if work (scenarios never touch the baseline)."""
        return Project(
            layers={k: v.copy() for k, v in self.layers.items()},
            tables={k: v.copy() for k, v in self.tables.items()},
            meta=dict(self.meta), rules=self.rules, path=None,
        )
