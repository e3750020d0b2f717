"""The shared PostGIS store of a province: connection (:mod:`.connection`), versioned schema
migrations (:mod:`.schema`, numbered SQL files in ``migrations/``), push and pull of a whole
project (:mod:`.push`, :mod:`.pull`), team roles with row-level rights per kabupaten
(:mod:`.roles`) and edits with a row version and an audit trail (:mod:`.edits`).  Every value is
bound as a parameter and every name goes through ``psycopg.sql.Identifier``."""
