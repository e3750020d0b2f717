"""Domain exceptions.  Every message a person reads is already translated (see i18n)."""

from __future__ import annotations

from ilp_gis.i18n import register_catalog, tr


class IlpError(Exception):
    """Base of every error the project raises on purpose.  ``str(err)`` is for people."""

    key = "error.generic"

    def __init__(self, message: str | None = None, **context: object) -> None:
        self.context = context
        super().__init__(message if message is not None else tr(self.key, **context))


class InputError(IlpError):
    """Bad input data: a file, a row/feature, a value.  The CLI exits 1 on it."""

    key = "error.input"

    def __init__(self, message: str | None = None, *, file: object = None, row: object = None,
                 **context: object) -> None:
        self.file = file
        self.row = row
        if message is not None and (file is not None or row is not None):
            where = tr("error.where", file=file if file is not None else "–",
                       row=row if row is not None else "–")
            message = f"{where}: {message}"
        super().__init__(message, **context)


class ProjectError(IlpError):
    """A project file that cannot be opened or written (damaged, too new, locked)."""

    key = "error.project"


class RulesError(InputError):
    """A rules file with a bad value."""

    key = "error.rules"


class Cancelled(IlpError):
    """Long work stopped because the person cancelled it."""

    key = "error.cancelled"


register_catalog("ilp_gis", "errors")
