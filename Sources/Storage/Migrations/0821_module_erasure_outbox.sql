-- 0821 a pupil's erasure no longer waits for the modules (modules attack review #5, #6, #7).
--
-- Before: the vault's erasure transaction called every module's erase_pupil, and any module
-- failure (an outage, a lock, a row a module role had tampered with) rolled back the vault's
-- crypto-shredding too. Now the erasure transaction shreds the keys, unlinks the pupil's pairwise
-- tokens from vault.module_tokens, expires the pupil's relationship facts, and queues one row per
-- module here; the vault process drains the queue (the erasure itself tries at once, then a job
-- retries with backoff) until each module confirms. The receipt shows each module pending or done.
--
-- Each row is run twice: the first pass ("done", erased_at) as soon as the module answers, and a
-- sweep (swept_at) after a grace period longer than any gateway request that may have received
-- the token before the erasure committed (docs/SECURITY.md), so a write that lands after the first
-- pass is still removed. After the sweep the token is cleared: the row keeps only counts, and the
-- link between the vault subject and the module token is gone, as vault.module_tokens' row is.
--
-- trials.erase_pupil is rebuilt: it recomputes events.seated from trials.enrolments (a counter a
-- module role tampered with cannot abort it) and returns the pupil it promoted to the freed seat
-- (item 'promoted', with the event and its end), so the vault records the promoted pupil's
-- enrolled_in fact when the vault had issued that pupil's enrolment (enrolment_pending, 0820).

CREATE TABLE vault.module_erasures (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    module text NOT NULL CHECK (module IN ('assessment', 'trials', 'recommendations')),
    token text CHECK (token ~ '^(asm|trl|rec)_[A-Za-z0-9_-]{16,64}$'),
    requested_by text NOT NULL,
    queued_at timestamptz NOT NULL,
    due_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error_code text CHECK (last_error_code ~ '^[A-Za-z0-9_.-]{1,64}$'),
    erased_at timestamptz,
    removed jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(removed) = 'object'),
    swept_at timestamptz,
    UNIQUE (subject_id, module),
    CONSTRAINT module_erasures_token_until_swept CHECK ((token IS NULL) = (swept_at IS NOT NULL)),
    CONSTRAINT module_erasures_sweep_after_erasure CHECK (swept_at IS NULL OR erased_at IS NOT NULL)
);
CREATE INDEX module_erasures_due ON vault.module_erasures (due_at) WHERE swept_at IS NULL;
GRANT SELECT, INSERT, UPDATE ON vault.module_erasures TO bilet_vault;

DROP FUNCTION trials.erase_pupil(text);
CREATE FUNCTION trials.erase_pupil(p_token text)
RETURNS TABLE (item text, removed bigint, promoted text, promoted_event bigint, promoted_until timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, trials AS $$
DECLARE
    v_event bigint;
    v_count bigint;
    v_capacity integer;
    v_until timestamptz;
    v_was_seated boolean;
    v_seated bigint;
    v_promoted text;
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'trl\_%' THEN
        RAISE EXCEPTION 'not a trials token' USING ERRCODE = '22023';
    END IF;
    DELETE FROM trials.attendance a WHERE a.pupil_token = p_token;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    item := 'attendance'; removed := v_count; RETURN NEXT;

    v_count := 0;
    FOR v_event IN
        SELECT e.event_id FROM trials.enrolments e WHERE e.pupil_token = p_token ORDER BY e.event_id
    LOOP
        SELECT ev.capacity, ev.ends_at INTO v_capacity, v_until FROM trials.events ev WHERE ev.id = v_event FOR UPDATE;
        DELETE FROM trials.enrolments e WHERE e.event_id = v_event AND e.pupil_token = p_token
        RETURNING e.state = 'seated' INTO v_was_seated;
        v_count := v_count + 1;
        SELECT count(*) INTO v_seated FROM trials.enrolments e WHERE e.event_id = v_event AND e.state = 'seated';
        IF v_was_seated AND v_seated < v_capacity THEN
            UPDATE trials.enrolments SET state = 'seated', seated_at = now()
            WHERE event_id = v_event AND pupil_token = (
                SELECT w.pupil_token FROM trials.enrolments w WHERE w.event_id = v_event AND w.state = 'waiting'
                ORDER BY w.position LIMIT 1)
            RETURNING pupil_token INTO v_promoted;
            IF v_promoted IS NOT NULL THEN
                v_seated := v_seated + 1;
                item := 'promoted'; removed := 0; promoted := v_promoted; promoted_event := v_event; promoted_until := v_until;
                RETURN NEXT;
                promoted := NULL; promoted_event := NULL; promoted_until := NULL;
            END IF;
        END IF;
        -- Recomputed, never decremented: a counter changed behind the module's back cannot abort an erasure.
        UPDATE trials.events SET seated = LEAST(v_seated, capacity) WHERE id = v_event;
        v_promoted := NULL;
    END LOOP;
    item := 'enrolments'; removed := v_count; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION trials.erase_pupil(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trials.erase_pupil(text) TO bilet_vault;
