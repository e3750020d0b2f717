"""ILP rules: every threshold the analysis uses, read from a TOML file.

Each rule lives in a section ``[group.name]`` with ``value``, ``unit``, ``source`` and
``confirmed``.  Access by dotted name: ``rules.value("target.posyandu_min_kader")`` or
``rules["limit.pustu_distance_km"]``.  The defaults ship in ``ilp_gis/data/rules_default.toml``.
A rule may also carry a list of activity names (``activities = ["build_pustu", ...]``: the
funding-source eligibility rules ``eligibility.*``), read by :meth:`Rules.activities`.
A project stores the TOML text of the rules it used (``meta.rules_toml``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from ilp_gis.errors import RulesError
from ilp_gis.i18n import get_language, register_catalog, tr

POSITIVE = frozenset({"budget.max_line_amount"})
"""Rules whose value must be above zero (a bound of 0 would reject everything)."""


@dataclass(frozen=True)
class Rule:
    name: str  # dotted: "target.pustu_per_desa"
    value: float
    unit: str
    source: str
    confirmed: bool
    unit_id: str = ""  # the unit and source in Bahasa Indonesia, beside the English
    source_id: str = ""
    activities: tuple[str, ...] = ()  # e.g. what a funding source may pay for

    def unit_in(self, lang: str | None = None) -> str:
        """The unit in ``lang`` (the UI language by default): the Indonesian text when the
        language is Indonesian and the rules give one, else the English."""
        return self.unit_id if _indonesian(lang) and self.unit_id else self.unit

    def source_in(self, lang: str | None = None) -> str:
        """The source in ``lang``, as :meth:`unit_in`."""
        return self.source_id if _indonesian(lang) and self.source_id else self.source

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]


class Rules(Mapping[str, float]):
    """An immutable set of rules; a Mapping from dotted name to value."""

    def __init__(self, rules: Mapping[str, Rule], text: str, origin: str) -> None:
        self._rules = dict(rules)
        self.text = text
        self.origin = origin

    # Mapping interface -> values
    def __getitem__(self, name: str) -> float:
        try:
            return self._rules[name].value
        except KeyError:
            raise KeyError(f"no rule {name!r}; known: {', '.join(sorted(self._rules))}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def value(self, name: str, default: float | None = None) -> float:
        if default is not None and name not in self._rules:
            return default
        return self[name]

    def rule(self, name: str) -> Rule:
        return self._rules[name]

    def group(self, group: str) -> dict[str, float]:
        """``{"arteri": 60.0, ...}`` for ``group("speed")``."""
        return {r.name.split(".", 1)[1]: r.value for r in self._rules.values()
                if r.group == group}

    def activities(self, name: str) -> tuple[str, ...] | None:
        """The ``activities`` list of rule ``name``; None when there is no such rule."""
        rule = self._rules.get(name)
        return None if rule is None else rule.activities

    def all(self) -> list[Rule]:
        return list(self._rules.values())

    def with_values(self, **changes: float) -> Rules:
        """A copy with some values changed (keys use ``__`` for the dot: ``limit__pustu_distance_km``)."""
        rules = dict(self._rules)
        for key, val in changes.items():
            name = key.replace("__", ".")
            if name not in rules:
                raise KeyError(name)
            old = rules[name]
            rules[name] = replace(old, value=float(val))
        return Rules(rules, _to_toml(rules.values()), self.origin + " (changed)")


def default_rules_text() -> str:
    return resources.files("ilp_gis").joinpath("data/rules_default.toml").read_text("utf-8")


def default_rules() -> Rules:
    return parse_rules(default_rules_text(), origin="rules_default.toml")


def load_rules(path: str | Path | None = None) -> Rules:
    """Read a rules file; rules missing from it take their default (so old files keep working)."""
    if path is None:
        return default_rules()
    path = Path(path)
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise RulesError(tr("rules.cannot_read", file=str(path), why=exc.strerror or exc),
                         file=path) from exc
    return parse_rules(text, origin=str(path))


def parse_rules(text: str, *, origin: str = "rules") -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(tr("rules.bad_toml", file=origin, why=str(exc)), file=origin) from exc
    rules: dict[str, Rule] = {}
    if origin != "rules_default.toml":
        rules.update(default_rules()._rules)
    problems: list[str] = []
    for group, entries in data.items():
        if group == "meta":
            continue
        if not isinstance(entries, dict):
            problems.append(tr("rules.bad_entry", name=group))
            continue
        for name, entry in entries.items():
            full = f"{group}.{name}"
            if not isinstance(entry, dict) or "value" not in entry:
                problems.append(tr("rules.bad_entry", name=full))
                continue
            val = entry["value"]
            if isinstance(val, bool) or not isinstance(val, int | float):
                problems.append(tr("rules.not_number", name=full, value=repr(val)))
                continue
            if not math.isfinite(val):  # TOML allows inf and nan
                problems.append(tr("rules.not_finite", name=full, value=repr(val)))
                continue
            if val < 0:
                problems.append(tr("rules.negative", name=full, value=val))
                continue
            if val == 0 and full in POSITIVE:
                problems.append(tr("rules.not_positive", name=full, value=val))
                continue
            default = rules.get(full)
            acts = entry.get("activities", default.activities if default else ())
            if not isinstance(acts, list | tuple) or not all(isinstance(a, str) for a in acts):
                problems.append(tr("rules.bad_activities", name=full, value=repr(acts)))
                continue
            rules[full] = Rule(
                full, float(val),
                str(entry.get("unit", default.unit if default else "")),
                str(entry.get("source", default.source if default else "")),
                bool(entry.get("confirmed", False)),
                *_id_texts(entry, default),
                tuple(acts),
            )
    if problems:
        raise RulesError(tr("rules.problems", file=origin, problems="; ".join(problems)),
                         file=origin)
    return Rules(rules, text, origin)


def _indonesian(lang: str | None) -> bool:
    return (lang or get_language()) == "id"


def _id_texts(entry: Mapping, default: Rule | None) -> tuple[str, str]:
    """``(unit_id, source_id)`` of a rules-file entry: as written, else the default's when
    the English text is the default's (an edited English text has no stale translation)."""
    out = []
    for field in ("unit", "source"):
        given = entry.get(f"{field}_id")
        if given is not None:
            out.append(str(given))
        elif default is not None and str(entry.get(field, getattr(default, field))) \
                == getattr(default, field):
            out.append(getattr(default, f"{field}_id"))
        else:
            out.append("")
    return out[0], out[1]


def _to_toml(rules) -> str:
    lines = ["# ILP rules written by ilp-gis", ""]
    for r in rules:
        lines.append(f"[{r.name}]")
        lines.append(f"value = {r.value!r}")
        lines.append(f"unit = {_q(r.unit)}")
        lines.append(f"source = {_q(r.source)}")
        if r.unit_id:
            lines.append(f"unit_id = {_q(r.unit_id)}")
        if r.source_id:
            lines.append(f"source_id = {_q(r.source_id)}")
        lines.append(f"confirmed = {'true' if r.confirmed else 'false'}")
        if r.activities:
            lines.append("activities = [" + ", ".join(_q(a) for a in r.activities) + "]")
        lines.append("")
    return "\n".join(lines)


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


register_catalog("ilp_gis", "rules")
