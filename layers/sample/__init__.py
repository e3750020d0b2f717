"""The generated sample district "Kabupaten Contoh": fictional data the project owns, built in
memory (:func:`generate_sample`) and written as defect-laden raw sources (:func:`write_sources`).

May import the domain (``ilp_gis``) and ``layers.atomic``; callers import from here.
"""

from layers.sample.generate import SCALES, generate_sample
from layers.sample.sources import SOURCE_FILES, write_sources

__all__ = ["SCALES", "SOURCE_FILES", "generate_sample", "write_sources"]
