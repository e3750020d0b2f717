-- Version 1 of the shared store: the bookkeeping tables, the group roles, the row-level rights
-- function and the triggers every layer table gets (row version, audit).  Layer tables
-- themselves are created by a push, one per project layer, with the same columns as the
-- GeoPackage plus _rid (row id), _row_version and _kab (the kabupaten that may edit the row;
-- NULL = province-level data).
CREATE EXTENSION IF NOT EXISTS postgis;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ilp_province') THEN
    CREATE ROLE ilp_province NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ilp_team') THEN
    CREATE ROLE ilp_team NOLOGIN;
  END IF;
END $$;

-- Which login role edits which kabupaten (a team may hold more than one).
CREATE TABLE ilp_team_kabupaten (
  role_name name NOT NULL,
  kabupaten_code text NOT NULL,
  PRIMARY KEY (role_name, kabupaten_code)
);

-- The project's layers in the store: name, geometry type, column dtypes (JSON) and order.
CREATE TABLE ilp_layers (
  name text PRIMARY KEY,
  geometry_type text,
  columns jsonb NOT NULL,
  position integer NOT NULL
);

CREATE TABLE ilp_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  who name NOT NULL DEFAULT session_user,
  layer text NOT NULL,
  op text NOT NULL,
  row_id bigint,
  before jsonb,
  after jsonb
);
CREATE INDEX ilp_audit_layer_row ON ilp_audit (layer, row_id);

-- May the current user write a row of kabupaten ``kab``?  Province members write everything,
-- a team only rows of its own kabupaten.
CREATE FUNCTION ilp_may_edit(kab text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_catalog AS $$
  SELECT pg_has_role(session_user, 'ilp_province', 'MEMBER')
      OR (kab IS NOT NULL AND EXISTS (
            SELECT 1 FROM ilp_team_kabupaten t
             WHERE t.role_name = session_user AND t.kabupaten_code = kab));
$$;

CREATE FUNCTION ilp_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW._row_version := OLD._row_version + 1;
  RETURN NEW;
END $$;

CREATE FUNCTION ilp_audit_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_catalog AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ilp_audit (layer, op, row_id, before, after)
    VALUES (TG_TABLE_NAME, 'insert', NEW._rid, NULL, to_jsonb(NEW));
    RETURN NEW;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO ilp_audit (layer, op, row_id, before, after)
    VALUES (TG_TABLE_NAME, 'update', NEW._rid, to_jsonb(OLD), to_jsonb(NEW));
    RETURN NEW;
  ELSE
    INSERT INTO ilp_audit (layer, op, row_id, before, after)
    VALUES (TG_TABLE_NAME, 'delete', OLD._rid, to_jsonb(OLD), NULL);
    RETURN OLD;
  END IF;
END $$;

GRANT SELECT ON ilp_team_kabupaten, ilp_layers, ilp_audit TO ilp_province, ilp_team;
