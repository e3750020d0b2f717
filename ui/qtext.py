"""Qt's translation system routed to the one catalogue (:mod:`ilp_gis.i18n`).

:class:`CatalogTranslator` is installed on the application; every widget text is asked from Qt
(``QCoreApplication.translate`` / ``self.tr``) with the catalogue key as source text, and the
translator answers with :func:`ilp_gis.i18n.tr` in the current language.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from ilp_gis import i18n

CONTEXT = "ilp"


class CatalogTranslator(QTranslator):
    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401
        if source_text and i18n.has(source_text):
            return i18n.tr(source_text)
        return None

    def isEmpty(self) -> bool:  # noqa: N802
        return False


def qtr(key: str, **kwargs: object) -> str:
    """The text of ``key`` through Qt's translator (placeholders filled like ``i18n.tr``)."""
    if kwargs:
        return i18n.tr(key, **kwargs)
    text = QCoreApplication.translate(CONTEXT, key)
    if text == key and i18n.has(key):  # no translator installed (e.g. a bare test)
        return i18n.tr(key)
    return text
