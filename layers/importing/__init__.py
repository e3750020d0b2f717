"""The import: files as Dinkes hands them over → a checked :class:`~ilp_gis.project.Project`.

:func:`import_files` reads boundaries (kabupaten, kecamatan, desa), facility lists and roads,
detects columns, normalises area codes and coordinates, repairs what can be repaired, places
every facility in its desa and kecamatan (vectorised point-in-polygon on a spatial index) and
writes one import-report line per input row — nothing is dropped without a line.

Updating a project: a boundary role given again replaces that layer; facility files replace
the facilities of the types they contain (other types stay); roads replace roads.  Facilities
are placed again whenever the desa or kecamatan layer changes.  Report lines of a re-imported
file replace its old lines.

Area-code key: ``code`` holds the Kemendagri code when the source has one; otherwise the BPS code
as written (never converted; the two are told apart by their shape, ``PP.KK.CC.DDDD`` against
ten plain digits); otherwise a generated ``TANPA-KODE-<role>-<row>`` reported as doubtful.

One job per module: ``report`` (the report and its writer), ``cells`` (cell values),
``facility_types``, ``names`` (names for matching), ``areas``, ``facilities``, ``roads``,
``placement``, ``duplicates``, ``ids``, ``parents``, ``pipeline`` (the order of it all) and
``preview``.  May import ``ilp_gis`` and ``layers``.
"""

from layers.importing.facility_types import (
                                             facility_type,
                                             facility_types,
                                             parse_facility_type_option,
)
from layers.importing.pipeline import import_files
from layers.importing.placement import locate_facilities
from layers.importing.preview import preview_columns
from layers.importing.report import ImportReport

__all__ = ["ImportReport", "facility_type", "facility_types", "import_files",
           "locate_facilities", "parse_facility_type_option", "preview_columns"]
