"""The one translation layer for every message a person reads.

The texts live in data files, one per module, in each room's ``messages/`` folder
(``layers/messages/importing.cells.toml``: ``"key" = ["Bahasa Indonesia", "English"]``), so
a translator edits them without reading code.  A module names its catalogue once::

    from ilp_gis.i18n import register_catalog, tr
    register_catalog("layers", "importing.cells")
    tr("import.row_skipped", row=3, why="...")

Catalogues are read on the first lookup after they were named.  ``register`` adds messages
given in code (tests, plug-ins).

Bahasa Indonesia (``id``) is the default language, English (``en``) the second one.
The Qt desktop app routes Qt's own translation system through :func:`tr` as well, so there is
exactly one catalogue.  Number, money and date formatting follow the language too.
"""

from __future__ import annotations

import datetime as _dt
import math
import threading
import tomllib
from collections.abc import Mapping
from importlib import resources

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

_catalog: dict[str, tuple[str, str]] = {}
_pending: list[tuple[str, str]] = []
_named: set[tuple[str, str]] = set()
_load_lock = threading.Lock()
_state = threading.local()
_global_lang = [DEFAULT_LANGUAGE]

_MONTHS = {
    "id": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
           "September", "Oktober", "November", "Desember"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}


def register(messages: Mapping[str, tuple[str, str]]) -> None:
    """Add messages ``key -> (indonesian, english)`` to the catalogue.

    Registering the same key twice with different text is a programming error.
    """
    for key, pair in messages.items():
        if len(pair) != 2:
            raise ValueError(f"message {key!r} needs (id, en) texts, got {pair!r}")
        old = _catalog.get(key)
        if old is not None and old != tuple(pair):
            raise ValueError(f"message {key!r} registered twice with different texts")
        _catalog[key] = (pair[0], pair[1])


def register_catalog(package: str, name: str) -> None:
    """Name the catalogue ``<package>/messages/<name>.toml``; it is read on first use."""
    with _load_lock:
        if (package, name) not in _named:
            _named.add((package, name))
            _pending.append((package, name))


def _load_pending() -> None:
    with _load_lock:
        while _pending:
            package, name = _pending.pop()
            text = resources.files(package).joinpath("messages", f"{name}.toml").read_text(
                encoding="utf-8")
            register(tomllib.loads(text))


def set_language(lang: str) -> None:
    """Set the UI language for the whole process (``id`` or ``en``)."""
    lang = normalize_language(lang)
    _global_lang[0] = lang


def get_language() -> str:
    return getattr(_state, "lang", None) or _global_lang[0]


def normalize_language(lang: str | None) -> str:
    if lang is None:
        return get_language()
    if lang in LANGUAGES:  # the usual case, called for every message
        return lang
    lang = str(lang).strip().lower()[:2]
    if lang in ("in",):  # old ISO code for Indonesian
        lang = "id"
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


class language:  # noqa: N801 - used as a context manager, reads like a keyword
    """Temporarily use another language in this thread: ``with language("en"): ...``."""

    def __init__(self, lang: str | None) -> None:
        self.lang = normalize_language(lang) if lang else None

    def __enter__(self) -> language:
        self._old = getattr(_state, "lang", None)
        if self.lang:
            _state.lang = self.lang
        return self

    def __exit__(self, *exc: object) -> None:
        _state.lang = self._old


def has(key: str) -> bool:
    if _pending:
        _load_pending()
    return key in _catalog


def tr(key: str, /, *, lang: str | None = None, **kwargs: object) -> str:
    """Translate ``key`` and fill in ``{placeholders}``.

    An unknown key returns the key itself (so a missing translation is visible, never a crash).
    Numbers passed as keyword arguments are formatted for the language.
    """
    lang = normalize_language(lang) if lang else get_language()
    if _pending:
        _load_pending()
    pair = _catalog.get(key)
    if pair is None:
        text = key
    else:
        text = pair[0] if lang == "id" else pair[1]
    if not kwargs:
        return text
    shown = {k: _show(v, lang) for k, v in kwargs.items()}
    try:
        return text.format(**shown)
    except (KeyError, IndexError, ValueError):
        return text + " " + ", ".join(f"{k}={v}" for k, v in shown.items())


def _show(value: object, lang: str) -> object:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return format_number(value, lang=lang)
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return format_number(value, decimals=0 if value.is_integer() else 1, lang=lang)
    return value


def format_number(value: float | int | None, decimals: int = 0, *, lang: str | None = None) -> str:
    """``1234.5`` → ``1.234,5`` (id) or ``1,234.5`` (en); missing values → ``–``."""
    if value is None:
        return "–"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return "–"
    lang = normalize_language(lang) if lang else get_language()
    text = f"{f:,.{decimals}f}"
    if lang == "id":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def decimal_separator(lang: str | None = None) -> str:
    """The decimal mark of ``lang``: ``","`` (id) or ``"."`` (en)."""
    lang = normalize_language(lang) if lang else get_language()
    return "," if lang == "id" else "."


def parse_number(text: object, *, lang: str | None = None) -> float:
    """The inverse of :func:`format_number`: ``"1.234,5"`` (id) / ``"1,234.5"`` (en) → 1234.5.

    A plain number without group marks is read in either language (``"5.5"`` and ``"5,5"`` are
    5.5 when the other mark is absent and the digits after it are not a group of three).
    Raises ``ValueError`` with a message in the UI language."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text or "").strip().replace("\u00a0", "").replace(" ", "")
    lang = normalize_language(lang) if lang else get_language()
    dec = decimal_separator(lang)
    group = "." if dec == "," else ","
    body = raw[1:] if raw[:1] in "+-" else raw
    parts = body.split(group)
    grouped = len(parts) > 1 and all(len(p) == 3 for p in parts[1:-1]) and \
        len(parts[-1].split(dec)[0]) == 3 and 1 <= len(parts[0]) <= 3
    if grouped:
        body = body.replace(group, "")
    elif group in body and dec not in body and body.count(group) == 1:
        body = body.replace(group, dec)  # "5.5" typed in an Indonesian window
    body = body.replace(dec, ".")
    try:
        if not body or not all(ch.isdigit() or ch == "." for ch in body):
            raise ValueError
        return float(("-" if raw.startswith("-") else "") + body)
    except ValueError:
        raise ValueError(tr("common.not_a_number", text=raw,
                            example=format_number(1234.5, 1, lang=lang), lang=lang)) from None


def format_rupiah(value: float | int | None, *, lang: str | None = None) -> str:
    """``1250000`` → ``Rp 1.250.000`` (id) / ``Rp 1,250,000`` (en)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return "Rp " + format_number(round(float(value)), lang=lang)


def format_percent(fraction: float | None, decimals: int = 1, *, lang: str | None = None) -> str:
    """``0.875`` → ``87,5%`` (id) / ``87.5%`` (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return format_number(100.0 * float(fraction), decimals, lang=lang) + "%"


def format_date(value: _dt.date | _dt.datetime | None, *, lang: str | None = None) -> str:
    """``2026-11-23`` → ``23 November 2026`` (id) / ``23 November 2026`` (en, day-month-year)."""
    if value is None:
        return "–"
    lang = normalize_language(lang) if lang else get_language()
    return f"{value.day} {_MONTHS[lang][value.month - 1]} {value.year}"


register_catalog("ilp_gis", "i18n")
