"""Checking every path of a command before it does any work.

Each ``ui/cli_<name>.py`` declares its paths (``INPUTS`` and ``OUTPUTS``, tuples of
:class:`Input` and :class:`Output`); :func:`check_paths` runs for every command before ``run``,
so a bad suffix, a missing or unwritable folder or an output that is a folder stops the command
with one clear message (exit 1) and nothing is written.  Imports ``ilp_gis`` only.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ilp_gis.errors import InputError
from ilp_gis.i18n import register_catalog, tr

Getter = Callable[[object], object]


@dataclass(frozen=True)
class Input:
    """A file the command reads (``dest``: the argparse name; a list of paths is allowed)."""

    dest: str
    must_exist: bool = True
    path_of: Callable[[str], str] | None = None  # e.g. "pustu=a.csv" -> "a.csv"
    when: Callable[[object], bool] | None = None


@dataclass(frozen=True)
class Output:
    """A file (``suffixes`` given) or folder (``folder=True``) the command writes."""

    dest: str
    suffixes: tuple[str, ...] = ()
    folder: bool = False
    when: Callable[[object], bool] | None = None
    default: Callable[[object], object] | None = None  # the path used when the option is empty


def _values(args, dest: str, path_of=None) -> list[Path]:
    value = getattr(args, dest, None)
    items = value if isinstance(value, list | tuple) else [value]
    out = []
    for v in items:
        if v is None or str(v) == "":
            continue
        out.append(Path(path_of(str(v)) if path_of else str(v)))
    return out


def _writable_folder(folder: Path) -> str | None:
    """Why nothing can be written into ``folder`` (None when a probe file can be made)."""
    if not folder.exists():
        return tr("cli.paths.no_folder", folder=str(folder))
    if not folder.is_dir():
        return tr("cli.paths.not_folder", folder=str(folder))
    try:  # the only sure test on every system: make a file there (removed at once)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return tr("cli.paths.not_writable", folder=str(folder), why=exc.strerror or str(exc))
    return None


def check_output(path: str | Path, *, suffixes: tuple[str, ...] = (), folder: bool = False
                 ) -> Path:
    """Raise :class:`InputError` unless ``path`` can be written as a file with one of
    ``suffixes`` (or as a folder that is or can be created in an existing folder)."""
    path = Path(path)
    if folder:
        if path.exists():
            why = _writable_folder(path)
        else:
            why = _writable_folder(path.parent if str(path.parent) else Path("."))
        if why:
            raise InputError(tr("cli.paths.bad_output", file=str(path), why=why))
        return path
    if path.is_dir():
        raise InputError(tr("cli.paths.is_folder", file=str(path)))
    if suffixes and path.suffix.lower() not in suffixes:
        raise InputError(tr("cli.paths.bad_suffix", file=str(path), suffix=path.suffix or "–",
                            allowed=", ".join(suffixes)))
    why = _writable_folder(path.parent if str(path.parent) else Path("."))
    if why is None and path.exists() and not os.access(path, os.W_OK):
        why = tr("cli.paths.read_only")
    if why:
        raise InputError(tr("cli.paths.bad_output", file=str(path), why=why))
    return path


def check_input(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(tr("cli.paths.missing", file=str(path)))
    return path


def check_paths(args, inputs=(), outputs=()) -> None:
    """Check every declared input and output of ``args`` (see the module docstring); an
    output may not be one of the command's other inputs (an import report over the file read)."""
    read: dict[Path, str] = {}
    for spec in inputs:
        if spec.when is not None and not spec.when(args):
            continue
        for p in _values(args, spec.dest, spec.path_of):
            if spec.must_exist:
                check_input(p)
            read[_key(p)] = spec.dest
    for spec in outputs:
        if spec.when is not None and not spec.when(args):
            continue
        paths = _values(args, spec.dest)
        if not paths and spec.default is not None:
            paths = [Path(str(spec.default(args)))]
        for p in paths:
            check_output(p, suffixes=spec.suffixes, folder=spec.folder)
            owner = read.get(_key(p))
            if owner is not None and owner != spec.dest:
                raise InputError(tr("cli.paths.overwrites_input", file=str(p)))


def positive_int(text: str) -> int:
    """An argparse type: a whole number from 1 (a row number, a count)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(tr("cli.paths.positive_int", value=text))
    return value


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


register_catalog("ui", "cli_paths")
