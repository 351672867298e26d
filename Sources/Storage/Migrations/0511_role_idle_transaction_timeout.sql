-- 0511 idle-in-transaction timeout for every component role (issue 12, finding L1).
--
-- The audit sequencer integrates only events below the oldest transaction still running in the
-- cluster (AuditSequencer, pg_snapshot_xmin), so one transaction left open by any role stops
-- integration for as long as it stays open. Every component role therefore gets
-- idle_in_transaction_session_timeout = 30 s as its role default: a session that sits idle inside
-- a transaction for longer is terminated by the server and its transaction rolled back.
-- Components may lower it for their own transactions (the vault does, per transaction); nothing
-- needs more.
--
-- The setting belongs to the role (ALTER ROLE … SET, pg_db_role_setting with no database), like
-- the roles themselves (0001): it applies in every database of the cluster, including databases
-- copied from a migrated template. Several databases may run this migration at the same moment
-- (parallel tests, two deployments): a role already set is left alone, and an ALTER that collides
-- with a concurrent one ("tuple concurrently updated", a unique violation) is retried.
-- The step is a function in bilet_meta (owner only), so the roles added later (0532, 0540) get the
-- same bound by one call instead of a copy of this block.
CREATE FUNCTION bilet_meta.require_idle_transaction_timeout(role_name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    attempt integer := 0;
BEGIN
    LOOP
        EXIT WHEN EXISTS (
            SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            WHERE r.rolname = role_name AND s.setdatabase = 0
              AND 'idle_in_transaction_session_timeout=30s' = ANY (s.setconfig));
        BEGIN
            EXECUTE format('ALTER ROLE %I SET idle_in_transaction_session_timeout = %L', role_name, '30s');
            EXIT;
        EXCEPTION WHEN unique_violation OR internal_error OR serialization_failure OR deadlock_detected THEN
            attempt := attempt + 1;
            IF attempt >= 20 THEN
                RAISE;
            END IF;
            PERFORM pg_sleep(0.05 * attempt);
        END;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION bilet_meta.require_idle_transaction_timeout(text) FROM PUBLIC;

SELECT bilet_meta.require_idle_transaction_timeout(role_name)
FROM unnest(ARRAY[
    'bilet_vault', 'bilet_audit', 'bilet_policy', 'bilet_identity', 'bilet_ca', 'bilet_gateway',
    'bilet_assessment', 'bilet_trials', 'bilet_recommendations', 'bilet_accounts'
]) AS role_name;
