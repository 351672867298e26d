-- 0532 idle-in-transaction timeout for bilet_auditor
--
-- The read-only audit role of 0530 gets the same 30 s idle-in-transaction bound as every other
-- component role (0511, review finding L1), set the same concurrency-safe way.
DO $$
DECLARE
    role_name text;
    attempt integer;
BEGIN
    FOREACH role_name IN ARRAY ARRAY[
        'bilet_auditor'
    ] LOOP
        attempt := 0;
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
    END LOOP;
END
$$;
