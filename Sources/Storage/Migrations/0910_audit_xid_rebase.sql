-- 0910 audit xid rebase (issue 15, restore into a fresh cluster): the sequencer orders events by
-- the id of the transaction that wrote them (audit.events.xid, xid8) and integrates only those below
-- the oldest running transaction (AuditSequencer). Transaction ids restart in every cluster: a
-- database restored into a fresh cluster (a second initdb) holds events and a sequencer cursor
-- with ids from the old cluster, higher than any the new cluster hands out for a long time, so new
-- events would sort below the cursor (never integrated; `audit verify` reads them as inserted) and
-- the old cluster's events not yet integrated would never fall below the new cluster's bound.
--
-- The fix: events carry a *sequencing* id, the raw transaction id plus an offset, and the bound is
-- the raw bound plus the same offset.
-- * audit.xid_rebases: the offsets, append-only; the one in force is the largest. 0 at first.
-- * audit.rebase_xids(): if the newest recorded sequencing id is not below the cluster's oldest
--   running transaction plus the offset in force, records the offset that puts every transaction
--   of this cluster from now on above it: newest - xmin + 1. It locks audit.events in SHARE mode
--   first, so every transaction that appended under the old offset has ended and none appends
--   until the new offset commits. Called by `bilet backup restore` right after pg_restore, and
--   once below (a backup restored before this migration existed, then migrated).
-- * trigger events_sequence_xid: a row whose xid is the inserting transaction's own (the column
--   default; application roles cannot set the column, 0100) gets the offset added. A row given
--   another xid explicitly (a superuser only) is left as it is.
-- * audit.integration_bound(): pg_snapshot_xmin(pg_current_snapshot()) plus the offset. STABLE, so
--   it sees the calling statement's snapshot, not a newer one (a newer xmin could pass an event the
--   statement cannot see yet).
--
-- Why the commit-order proof still holds: within one offset the order and the bound are the raw
-- ones shifted by the same constant. When the offset grows from o1 to o2 (rebase_xids, under the
-- lock) every o1 event has committed; every o1 event is <= newest < xmin + o2 <= r + o2 for every
-- transaction r that can still append, so all o1 events sort before all o2 events and lie below
-- every later bound.

CREATE TABLE audit.xid_rebases (
    xid_offset numeric(20, 0) PRIMARY KEY CHECK (xid_offset >= 0),
    rebased_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
INSERT INTO audit.xid_rebases (xid_offset) VALUES (0);
REVOKE ALL ON audit.xid_rebases FROM PUBLIC;
GRANT SELECT ON audit.xid_rebases TO bilet_audit, bilet_auditor;

CREATE FUNCTION audit.xid_offset() RETURNS numeric
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(max(xid_offset), 0) FROM audit.xid_rebases $$;
REVOKE ALL ON FUNCTION audit.xid_offset() FROM PUBLIC;

CREATE FUNCTION audit.integration_bound() RETURNS xid8
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CAST(CAST(CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS numeric) + audit.xid_offset() AS text) AS xid8)
$$;
REVOKE ALL ON FUNCTION audit.integration_bound() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.integration_bound() TO bilet_audit, bilet_auditor;

CREATE FUNCTION audit.sequence_xid() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    shift numeric := audit.xid_offset();
BEGIN
    IF shift > 0 AND NEW.xid = pg_current_xact_id() THEN
        NEW.xid := CAST(CAST(CAST(CAST(NEW.xid AS text) AS numeric) + shift AS text) AS xid8);
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION audit.sequence_xid() FROM PUBLIC;

CREATE TRIGGER events_sequence_xid BEFORE INSERT ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.sequence_xid();

CREATE FUNCTION audit.rebase_xids() RETURNS numeric
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current_offset numeric;
    newest numeric;
    horizon numeric;
BEGIN
    LOCK TABLE audit.events IN SHARE MODE;
    current_offset := audit.xid_offset();
    SELECT CAST(CAST(xid AS text) AS numeric) INTO newest FROM audit.events ORDER BY xid DESC LIMIT 1;
    horizon := CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS text) AS numeric);
    IF newest IS NOT NULL AND newest >= horizon + current_offset THEN
        current_offset := newest - horizon + 1;
        INSERT INTO audit.xid_rebases (xid_offset) VALUES (current_offset);
    END IF;
    RETURN current_offset;
END
$$;
REVOKE ALL ON FUNCTION audit.rebase_xids() FROM PUBLIC;

SELECT audit.rebase_xids();
