-- 0841 a module's part of an erasure is bounded (modules attack review 2, #2).
--
-- * The module roles (bilet_assessment, bilet_trials, bilet_recommendations) get the role default
--   statement_timeout = 60 s, so a module statement that hangs (a stuck gateway request, waiting on
--   a lock included) cannot hold a pupil's rows, and with them the vault's erasure pass, for longer
--   than a minute; with the idle-in-transaction bound (0511) the sweep's 15-minute grace is longer
--   than any module write. Decision: no lock_timeout. It bounds a module's waits, not its holds
--   (the vault's own waits are bounded by its 5 s statement timeout), and at 10 s it failed
--   50 concurrent enrolments queued on one event's row under machine load; statement_timeout
--   already bounds every wait. A role default binds the sessions of that login; a holder of the
--   role's credentials can still SET its own session's timeout, which no setting can forbid:
--   against that, the vault reports every module erasure pending for more than an hour
--   (docs/SECURITY.md, docs/DEPLOYMENT.md).
--   As 0511: the setting belongs to the role (pg_db_role_setting with no database) and applies in
--   every database of the cluster; databases migrating at the same moment (parallel tests) leave a
--   role already set alone and retry a colliding ALTER. One bilet_meta helper for any such default.
-- * assessment.erase_pupil deletes the children of the pupil's sessions and assignments by their
--   parent key as well as by token: a row a module role planted under another token in one of the
--   pupil's sessions (answers, results, footprint_history.source_session) or a session of another
--   token under one of the pupil's assignments no longer makes the erasure fail with 23503. Those
--   rows hang off the pupil's own rows, so they are the pupil's too.
CREATE FUNCTION bilet_meta.require_role_setting(role_name text, setting text, value text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    attempt integer := 0;
BEGIN
    LOOP
        EXIT WHEN EXISTS (
            SELECT FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            WHERE r.rolname = role_name AND s.setdatabase = 0 AND setting || '=' || value = ANY (s.setconfig));
        BEGIN
            EXECUTE format('ALTER ROLE %I SET %I = %L', role_name, setting, value);
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
REVOKE ALL ON FUNCTION bilet_meta.require_role_setting(text, text, text) FROM PUBLIC;

SELECT bilet_meta.require_role_setting(role_name, setting, value)
FROM unnest(ARRAY['bilet_assessment', 'bilet_trials', 'bilet_recommendations']) AS role_name,
     (VALUES ('statement_timeout', '60s')) AS settings (setting, value);

CREATE OR REPLACE FUNCTION assessment.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, assessment AS $$
DECLARE
    n bigint;
    v_assignments uuid[];
    v_sessions uuid[];
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'asm\_%' THEN
        RAISE EXCEPTION 'not an assessment token' USING ERRCODE = '22023';
    END IF;
    SELECT coalesce(array_agg(a.id), '{}') INTO v_assignments FROM assessment.assignments a WHERE a.pupil_token = p_token;
    SELECT coalesce(array_agg(s.id), '{}') INTO v_sessions FROM assessment.sessions s
    WHERE s.pupil_token = p_token OR s.assignment_id = ANY (v_assignments);
    DELETE FROM assessment.footprint_history h WHERE h.pupil_token = p_token OR h.source_session = ANY (v_sessions);
    GET DIAGNOSTICS n = ROW_COUNT; item := 'footprint_history'; removed := n; RETURN NEXT;
    DELETE FROM assessment.footprint f WHERE f.pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'footprint'; removed := n; RETURN NEXT;
    DELETE FROM assessment.results r WHERE r.pupil_token = p_token OR r.session_id = ANY (v_sessions);
    GET DIAGNOSTICS n = ROW_COUNT; item := 'results'; removed := n; RETURN NEXT;
    DELETE FROM assessment.answers x WHERE x.pupil_token = p_token OR x.session_id = ANY (v_sessions);
    GET DIAGNOSTICS n = ROW_COUNT; item := 'answers'; removed := n; RETURN NEXT;
    DELETE FROM assessment.sessions s WHERE s.id = ANY (v_sessions);
    GET DIAGNOSTICS n = ROW_COUNT; item := 'sessions'; removed := n; RETURN NEXT;
    DELETE FROM assessment.assignments a WHERE a.id = ANY (v_assignments);
    GET DIAGNOSTICS n = ROW_COUNT; item := 'assignments'; removed := n; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION assessment.erase_pupil(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION assessment.erase_pupil(text) TO bilet_vault;
