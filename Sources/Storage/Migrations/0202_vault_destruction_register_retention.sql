-- 0202 vault destruction register retention: like the audit log's register (0100), each entry of
-- vault.destruction_register is kept for three years after the destruction it records, and may be
-- removed then and only then.
--
-- keep_until is always destroyed_at + 3 years: a trigger sets it on every INSERT (and would on any
-- UPDATE), so no caller can shorten it; bilet_vault may only SELECT and INSERT the table, and
-- removes entries only through vault.purge_destruction_register(), which deletes nothing younger.

ALTER TABLE vault.destruction_register ADD COLUMN keep_until timestamptz;
UPDATE vault.destruction_register SET keep_until = destroyed_at + interval '3 years';
ALTER TABLE vault.destruction_register ALTER COLUMN keep_until SET NOT NULL;
CREATE INDEX destruction_register_keep_until ON vault.destruction_register (keep_until);

CREATE FUNCTION vault.destruction_register_keep_until() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.keep_until := NEW.destroyed_at + interval '3 years';
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION vault.destruction_register_keep_until() FROM PUBLIC;

CREATE TRIGGER destruction_register_keep_until
    BEFORE INSERT OR UPDATE ON vault.destruction_register
    FOR EACH ROW EXECUTE FUNCTION vault.destruction_register_keep_until();

-- Register entries past their three years may be removed, and only those.
CREATE FUNCTION vault.purge_destruction_register() RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH purged AS (DELETE FROM vault.destruction_register WHERE keep_until < clock_timestamp() RETURNING 1)
    SELECT count(*)::integer FROM purged;
$$;
REVOKE ALL ON FUNCTION vault.purge_destruction_register() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION vault.purge_destruction_register() TO bilet_vault;
