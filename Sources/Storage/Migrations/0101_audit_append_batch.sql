-- 0101 audit append in batches: audit.append_batch writes several events with one statement (one
-- round trip), for actions that produce more than one record (a batch read through the vault's
-- one door, an erasure that takes a pupil's guardians with it).
--
-- Same guarantees as audit.append (0100): lock waits bounded by p_lock_timeout_ms (SQLSTATE
-- 55P03 when exceeded), the caller's lock_timeout restored on return, SECURITY INVOKER so the
-- caller's own column INSERT privilege applies, and the events land in the caller's transaction.
-- p_events is a JSON array of objects {kind, actor, subject, decision, purpose, payload}, where
-- payload is the event's JSON payload as text (cast exactly as audit.append casts it). The rows
-- are inserted in array order, so their ids are consecutive in that order. Returns the number of
-- rows inserted. Anything that is not an array of objects is refused before anything is written.
CREATE FUNCTION audit.append_batch(p_catalogue_version integer, p_events jsonb, p_lock_timeout_ms integer)
RETURNS integer
LANGUAGE plpgsql SECURITY INVOKER
SET lock_timeout = '2s'
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    inserted integer;
BEGIN
    IF jsonb_typeof(p_events) IS DISTINCT FROM 'array'
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_events) AS e(event) WHERE jsonb_typeof(e.event) <> 'object') THEN
        RAISE EXCEPTION 'audit.append_batch takes an array of event objects' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('lock_timeout', greatest(1, p_lock_timeout_ms)::text, true);
    INSERT INTO audit.events (kind, catalogue_version, actor, subject, decision, purpose, payload)
    SELECT e.event ->> 'kind', p_catalogue_version, e.event ->> 'actor', e.event ->> 'subject', e.event ->> 'decision',
           e.event ->> 'purpose', CAST(e.event ->> 'payload' AS jsonb)
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(event, position)
    ORDER BY e.position;
    GET DIAGNOSTICS inserted = ROW_COUNT;
    RETURN inserted;
END
$$;
REVOKE ALL ON FUNCTION audit.append_batch(integer, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append_batch(integer, jsonb, integer)
    TO bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;
