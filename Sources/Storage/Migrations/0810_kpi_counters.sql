-- 0810 KPI monthly counters (issue 11, KPI benchmark: report p99 at most 50 ms at 100,000 pupils).
--
-- A KPI report used to count base rows (GROUP BY month over a region's 100,000 pupils: 913 ms
-- p99 in a debug build). Each component now keeps monthly counters of its own facts in its own
-- schema, keyed by (region, scope, key, month, measure) where scope is 'region' (key = the region
-- code), 'school' (key = the school code) or 'venue' (key = the venue code): registry codes only,
-- never a pupil or a token. A report reads at most 12 rows per measure.
--
-- The counters are moved by statement-level AFTER triggers on the base tables, so a counter
-- always changes in the transaction of the change that moves it (a rollback undoes both). Each
-- trigger computes the "facts" (region, scope, key, month, measure, entity) of the affected
-- entities before and after the statement and adds the difference of count(DISTINCT entity) per
-- key, so a counter always equals the recount of the old KPI queries over the base tables:
--
-- * vault.kpi_counters, pupils_registered: pupils (vault.subjects kind 'pupil', not erased) by
--   the month of created_at, under their current region and school (a transfer moves them);
--   consents_collected: pupils with a first-version consent (any purpose, any state) recorded in
--   the month, one per pupil and month. Erasure removes the pupil from both (erased_at set);
--   withdrawal does not: the measure is "consent given in month M" (a withdrawn consent was still
--   collected then).
-- * assessment.kpi_counters, tests_completed: assessment.results by the month of completed_at
--   (region, school as recorded on the result, 0732).
-- * trials.kpi_counters, trials_attended: trials.attendance rows marked attended, by the month of
--   the event's end, under the event's region and venue and the enrolling navigator's school.
--   Triggers on attendance, events (a change of end, region or venue) and enrolments (school).
-- * recommendations.kpi_counters, recommendations_delivered: pupils with a published
--   recommendation by the month of published_at, one per pupil and month.
--
-- Module erasure deletes the pupil's rows (erase_pupil), which decrements the module counters in
-- the erasure's transaction. The trigger functions are SECURITY DEFINER (owned by the migrating
-- administrator, fixed search_path): the component roles only SELECT their counters and cannot
-- write them except by changing the rows they count. A counter below zero is a bug and fails the
-- change (kpi_apply raises check_violation). <schema>.kpi_rebuild() recomputes a schema's counters from its base rows (the
-- backfill below; executable by the administrator only).
--
-- Every function here runs with jit = off: the facts' lateral joins run with enable_nestloop off
-- (unnested arrays have no statistics, so a nested loop over two of them was quadratic at
-- 100,000 rows), and the disabled plan's cost then crossed jit_above_cost: JIT compilation took
-- a second per trigger, past the vault's 5 s statement bound under load.
--
-- Concurrency: a counter is the sum of up to 16 slot rows (<schema>.kpi_counter_slots; the view
-- <schema>.kpi_counters sums them). A change updates the slot of its connection
-- (pg_backend_pid() % 16), so concurrent changes of one region and month from different
-- connections do not queue on one row held until each commits (every registration, consent,
-- submitted test or mark of a region would otherwise take turns); the upsert takes its rows in key
-- order so two statements do not deadlock on them.

-- ---------------------------------------------------------------------------------------------
-- vault

CREATE TABLE vault.kpi_counter_slots (
    region text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('region', 'school')),
    key text NOT NULL,
    month date NOT NULL,
    measure text NOT NULL CHECK (measure IN ('pupils_registered', 'consents_collected')),
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    n bigint NOT NULL,
    PRIMARY KEY (region, scope, key, month, measure, slot)
);
CREATE VIEW vault.kpi_counters AS
    SELECT region, scope, key, month, measure, sum(n)::bigint AS n
    FROM vault.kpi_counter_slots GROUP BY region, scope, key, month, measure;
GRANT SELECT ON vault.kpi_counters TO bilet_vault;

CREATE TYPE vault.kpi_fact AS (region text, scope text, key text, month date, measure text, entity text);

CREATE FUNCTION vault.kpi_apply(p_before vault.kpi_fact[], p_after vault.kpi_fact[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_negative bigint;
    -- One of 16 slots per counter, by the connection: concurrent changes of one region and month
    -- from different connections update different rows instead of queueing on one.
    v_slot smallint := (pg_backend_pid() % 16)::smallint;
BEGIN
    INSERT INTO vault.kpi_counter_slots AS c (region, scope, key, month, measure, slot, n)
    SELECT d.region, d.scope, d.key, d.month, d.measure, v_slot, sum(d.delta)::bigint
    FROM (
        SELECT a.region, a.scope, a.key, a.month, a.measure, count(DISTINCT a.entity) AS delta
        FROM unnest(p_after) a GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT b.region, b.scope, b.key, b.month, b.measure, -count(DISTINCT b.entity)
        FROM unnest(p_before) b GROUP BY 1, 2, 3, 4, 5
    ) d
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.delta) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (region, scope, key, month, measure, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    -- Only a decrement can take a counter (the sum of its slots) below zero.
    SELECT count(*) INTO v_negative FROM (
        SELECT sum(s.n) AS total FROM vault.kpi_counter_slots s
        WHERE (s.region, s.scope, s.key, s.month, s.measure) IN (
            SELECT b.region, b.scope, b.key, b.month, b.measure FROM unnest(p_before) b)
        GROUP BY s.region, s.scope, s.key, s.month, s.measure
    ) t WHERE t.total < 0;
    IF v_negative > 0 THEN
        RAISE EXCEPTION 'vault.kpi_counters: a counter would fall below zero' USING ERRCODE = '23514';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION vault.kpi_apply(vault.kpi_fact[], vault.kpi_fact[]) FROM PUBLIC;

CREATE FUNCTION vault.kpi_facts(p_subjects vault.subjects[], p_consents vault.consents[]) RETURNS vault.kpi_fact[]
LANGUAGE sql STABLE SET search_path = pg_catalog SET enable_nestloop = off SET jit = off AS $$
    SELECT coalesce(array_agg(ROW(f.region, f.scope, f.key, f.month, f.measure, f.entity)::vault.kpi_fact), '{}')
    FROM (
        SELECT s.region, k.scope, k.key, (date_trunc('month', s.created_at AT TIME ZONE 'UTC'))::date AS month,
               'pupils_registered' AS measure, s.id::text AS entity
        FROM unnest(p_subjects) s CROSS JOIN LATERAL (VALUES ('region', s.region), ('school', s.organisation)) k (scope, key)
        WHERE s.kind = 'pupil' AND s.erased_at IS NULL AND s.region IS NOT NULL AND k.key IS NOT NULL
        UNION ALL
        SELECT s.region, k.scope, k.key, (date_trunc('month', c.recorded_at AT TIME ZONE 'UTC'))::date,
               'consents_collected', s.id::text
        FROM unnest(p_consents) c JOIN unnest(p_subjects) s ON s.id = c.subject_id
        CROSS JOIN LATERAL (VALUES ('region', s.region), ('school', s.organisation)) k (scope, key)
        WHERE c.version = 1 AND s.kind = 'pupil' AND s.erased_at IS NULL AND s.region IS NOT NULL AND k.key IS NOT NULL
    ) f
$$;
REVOKE ALL ON FUNCTION vault.kpi_facts(vault.subjects[], vault.consents[]) FROM PUBLIC;

-- Subjects: a pupil registered, transferred (region, organisation), erased (erased_at).
CREATE FUNCTION vault.kpi_subjects_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old vault.subjects[] := '{}';
    v_new vault.subjects[] := '{}';
    v_ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        v_new := ARRAY(SELECT n::vault.subjects FROM kpi_new n WHERE n.kind = 'pupil');
    ELSIF TG_OP = 'DELETE' THEN
        v_old := ARRAY(SELECT o::vault.subjects FROM kpi_old o WHERE o.kind = 'pupil');
    ELSE
        v_ids := ARRAY(
            SELECT n.id FROM kpi_new n JOIN kpi_old o ON o.id = n.id
            WHERE (n.kind = 'pupil' OR o.kind = 'pupil')
              AND (n.kind, n.created_at, n.region, n.organisation, n.erased_at)
                  IS DISTINCT FROM (o.kind, o.created_at, o.region, o.organisation, o.erased_at));
        IF cardinality(v_ids) = 0 THEN
            RETURN NULL;
        END IF;
        v_old := ARRAY(SELECT o::vault.subjects FROM kpi_old o WHERE o.id IN (SELECT unnest(v_ids)));
        v_new := ARRAY(SELECT n::vault.subjects FROM kpi_new n WHERE n.id IN (SELECT unnest(v_ids)));
    END IF;
    IF cardinality(v_old) = 0 AND cardinality(v_new) = 0 THEN
        RETURN NULL;
    END IF;
    v_ids := ARRAY(SELECT s.id FROM unnest(v_old) s UNION SELECT s.id FROM unnest(v_new) s);
    PERFORM vault.kpi_apply(
        vault.kpi_facts(v_old, ARRAY(SELECT c FROM vault.consents c WHERE c.subject_id IN (SELECT unnest(v_ids)) AND c.version = 1)),
        vault.kpi_facts(v_new, ARRAY(SELECT c FROM vault.consents c WHERE c.subject_id IN (SELECT unnest(v_ids)) AND c.version = 1)));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION vault.kpi_subjects_changed() FROM PUBLIC;
CREATE TRIGGER kpi_subjects_inserted AFTER INSERT ON vault.subjects
    REFERENCING NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION vault.kpi_subjects_changed();
CREATE TRIGGER kpi_subjects_updated AFTER UPDATE ON vault.subjects
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION vault.kpi_subjects_changed();
CREATE TRIGGER kpi_subjects_deleted AFTER DELETE ON vault.subjects
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION vault.kpi_subjects_changed();

-- Consents: a first version recorded (or, by the administrator, changed or deleted). A state
-- change (withdrawal, expiry, superseded) moves nothing.
CREATE FUNCTION vault.kpi_consents_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old vault.consents[] := '{}';
    v_new vault.consents[] := '{}';
    v_ids uuid[];
    v_subjects vault.subjects[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := ARRAY(SELECT o::vault.consents FROM kpi_old o WHERE o.version = 1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        v_new := ARRAY(SELECT n::vault.consents FROM kpi_new n WHERE n.version = 1);
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Only a change of subject, version or recorded_at moves a count.
        v_ids := ARRAY(
            SELECT n.id FROM unnest(v_new) n FULL JOIN unnest(v_old) o ON o.id = n.id
            WHERE (n.subject_id, n.version, n.recorded_at) IS DISTINCT FROM (o.subject_id, o.version, o.recorded_at));
        IF cardinality(v_ids) = 0 THEN
            RETURN NULL;
        END IF;
    END IF;
    IF cardinality(v_old) = 0 AND cardinality(v_new) = 0 THEN
        RETURN NULL;
    END IF;
    v_ids := ARRAY(SELECT c.subject_id FROM unnest(v_old) c UNION SELECT c.subject_id FROM unnest(v_new) c);
    v_subjects := ARRAY(SELECT s FROM vault.subjects s WHERE s.id IN (SELECT unnest(v_ids)) AND s.kind = 'pupil');
    IF cardinality(v_subjects) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM vault.kpi_apply(
        vault.kpi_facts(v_subjects, ARRAY(
            SELECT c FROM vault.consents c
            WHERE c.subject_id IN (SELECT unnest(v_ids)) AND c.version = 1 AND c.id NOT IN (SELECT n.id FROM unnest(v_new) n)
            UNION ALL SELECT o FROM unnest(v_old) o)),
        vault.kpi_facts(v_subjects, ARRAY(SELECT c FROM vault.consents c WHERE c.subject_id IN (SELECT unnest(v_ids)) AND c.version = 1)));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION vault.kpi_consents_changed() FROM PUBLIC;
CREATE TRIGGER kpi_consents_inserted AFTER INSERT ON vault.consents
    REFERENCING NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION vault.kpi_consents_changed();
CREATE TRIGGER kpi_consents_updated AFTER UPDATE ON vault.consents
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION vault.kpi_consents_changed();
CREATE TRIGGER kpi_consents_deleted AFTER DELETE ON vault.consents
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION vault.kpi_consents_changed();

CREATE FUNCTION vault.kpi_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
BEGIN
    LOCK TABLE vault.subjects, vault.consents IN SHARE MODE;
    DELETE FROM vault.kpi_counter_slots;
    PERFORM vault.kpi_apply('{}', vault.kpi_facts(
        ARRAY(SELECT s FROM vault.subjects s WHERE s.kind = 'pupil'),
        ARRAY(SELECT c FROM vault.consents c WHERE c.version = 1)));
END;
$$;
REVOKE ALL ON FUNCTION vault.kpi_rebuild() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- assessment

CREATE TABLE assessment.kpi_counter_slots (
    region text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('region', 'school')),
    key text NOT NULL,
    month date NOT NULL,
    measure text NOT NULL CHECK (measure IN ('tests_completed')),
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    n bigint NOT NULL,
    PRIMARY KEY (region, scope, key, month, measure, slot)
);
CREATE VIEW assessment.kpi_counters AS
    SELECT region, scope, key, month, measure, sum(n)::bigint AS n
    FROM assessment.kpi_counter_slots GROUP BY region, scope, key, month, measure;
GRANT SELECT ON assessment.kpi_counters TO bilet_assessment;

CREATE TYPE assessment.kpi_fact AS (region text, scope text, key text, month date, measure text, entity text);

CREATE FUNCTION assessment.kpi_apply(p_before assessment.kpi_fact[], p_after assessment.kpi_fact[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_negative bigint;
    -- One of 16 slots per counter, by the connection: concurrent changes of one region and month
    -- from different connections update different rows instead of queueing on one.
    v_slot smallint := (pg_backend_pid() % 16)::smallint;
BEGIN
    INSERT INTO assessment.kpi_counter_slots AS c (region, scope, key, month, measure, slot, n)
    SELECT d.region, d.scope, d.key, d.month, d.measure, v_slot, sum(d.delta)::bigint
    FROM (
        SELECT a.region, a.scope, a.key, a.month, a.measure, count(DISTINCT a.entity) AS delta
        FROM unnest(p_after) a GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT b.region, b.scope, b.key, b.month, b.measure, -count(DISTINCT b.entity)
        FROM unnest(p_before) b GROUP BY 1, 2, 3, 4, 5
    ) d
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.delta) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (region, scope, key, month, measure, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    -- Only a decrement can take a counter (the sum of its slots) below zero.
    SELECT count(*) INTO v_negative FROM (
        SELECT sum(s.n) AS total FROM assessment.kpi_counter_slots s
        WHERE (s.region, s.scope, s.key, s.month, s.measure) IN (
            SELECT b.region, b.scope, b.key, b.month, b.measure FROM unnest(p_before) b)
        GROUP BY s.region, s.scope, s.key, s.month, s.measure
    ) t WHERE t.total < 0;
    IF v_negative > 0 THEN
        RAISE EXCEPTION 'assessment.kpi_counters: a counter would fall below zero' USING ERRCODE = '23514';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION assessment.kpi_apply(assessment.kpi_fact[], assessment.kpi_fact[]) FROM PUBLIC;

CREATE FUNCTION assessment.kpi_facts(p_results assessment.results[]) RETURNS assessment.kpi_fact[]
LANGUAGE sql STABLE SET search_path = pg_catalog SET jit = off AS $$
    SELECT coalesce(array_agg(ROW(r.region, k.scope, k.key, (date_trunc('month', r.completed_at AT TIME ZONE 'UTC'))::date,
                                  'tests_completed', r.session_id::text)::assessment.kpi_fact), '{}')
    FROM unnest(p_results) r CROSS JOIN LATERAL (VALUES ('region', r.region), ('school', r.school)) k (scope, key)
    WHERE r.region IS NOT NULL AND k.key IS NOT NULL
$$;
REVOKE ALL ON FUNCTION assessment.kpi_facts(assessment.results[]) FROM PUBLIC;

CREATE FUNCTION assessment.kpi_results_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old assessment.results[] := '{}';
    v_new assessment.results[] := '{}';
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := ARRAY(SELECT o::assessment.results FROM kpi_old o);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        v_new := ARRAY(SELECT n::assessment.results FROM kpi_new n);
    END IF;
    PERFORM assessment.kpi_apply(assessment.kpi_facts(v_old), assessment.kpi_facts(v_new));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION assessment.kpi_results_changed() FROM PUBLIC;
CREATE TRIGGER kpi_results_inserted AFTER INSERT ON assessment.results
    REFERENCING NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION assessment.kpi_results_changed();
CREATE TRIGGER kpi_results_updated AFTER UPDATE ON assessment.results
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION assessment.kpi_results_changed();
CREATE TRIGGER kpi_results_deleted AFTER DELETE ON assessment.results
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION assessment.kpi_results_changed();

CREATE FUNCTION assessment.kpi_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
BEGIN
    LOCK TABLE assessment.results IN SHARE MODE;
    DELETE FROM assessment.kpi_counter_slots;
    PERFORM assessment.kpi_apply('{}', assessment.kpi_facts(ARRAY(SELECT r FROM assessment.results r)));
END;
$$;
REVOKE ALL ON FUNCTION assessment.kpi_rebuild() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- trials

CREATE TABLE trials.kpi_counter_slots (
    region text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('region', 'school', 'venue')),
    key text NOT NULL,
    month date NOT NULL,
    measure text NOT NULL CHECK (measure IN ('trials_attended')),
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    n bigint NOT NULL,
    PRIMARY KEY (region, scope, key, month, measure, slot)
);
CREATE VIEW trials.kpi_counters AS
    SELECT region, scope, key, month, measure, sum(n)::bigint AS n
    FROM trials.kpi_counter_slots GROUP BY region, scope, key, month, measure;
GRANT SELECT ON trials.kpi_counters TO bilet_trials;

CREATE TYPE trials.kpi_fact AS (region text, scope text, key text, month date, measure text, entity text);

CREATE FUNCTION trials.kpi_apply(p_before trials.kpi_fact[], p_after trials.kpi_fact[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_negative bigint;
    -- One of 16 slots per counter, by the connection: concurrent changes of one region and month
    -- from different connections update different rows instead of queueing on one.
    v_slot smallint := (pg_backend_pid() % 16)::smallint;
BEGIN
    INSERT INTO trials.kpi_counter_slots AS c (region, scope, key, month, measure, slot, n)
    SELECT d.region, d.scope, d.key, d.month, d.measure, v_slot, sum(d.delta)::bigint
    FROM (
        SELECT a.region, a.scope, a.key, a.month, a.measure, count(DISTINCT a.entity) AS delta
        FROM unnest(p_after) a GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT b.region, b.scope, b.key, b.month, b.measure, -count(DISTINCT b.entity)
        FROM unnest(p_before) b GROUP BY 1, 2, 3, 4, 5
    ) d
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.delta) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (region, scope, key, month, measure, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    -- Only a decrement can take a counter (the sum of its slots) below zero.
    SELECT count(*) INTO v_negative FROM (
        SELECT sum(s.n) AS total FROM trials.kpi_counter_slots s
        WHERE (s.region, s.scope, s.key, s.month, s.measure) IN (
            SELECT b.region, b.scope, b.key, b.month, b.measure FROM unnest(p_before) b)
        GROUP BY s.region, s.scope, s.key, s.month, s.measure
    ) t WHERE t.total < 0;
    IF v_negative > 0 THEN
        RAISE EXCEPTION 'trials.kpi_counters: a counter would fall below zero' USING ERRCODE = '23514';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION trials.kpi_apply(trials.kpi_fact[], trials.kpi_fact[]) FROM PUBLIC;

-- An attended row counts once under its event's region and venue and, when the enrolment names
-- one, the enrolling navigator's school.
CREATE FUNCTION trials.kpi_facts(p_attendance trials.attendance[], p_events trials.events[], p_enrolments trials.enrolments[])
RETURNS trials.kpi_fact[]
LANGUAGE sql STABLE SET search_path = pg_catalog SET enable_nestloop = off SET jit = off AS $$
    SELECT coalesce(array_agg(ROW(e.region, k.scope, k.key, (date_trunc('month', e.ends_at AT TIME ZONE 'UTC'))::date,
                                  'trials_attended', a.event_id::text || ':' || a.pupil_token)::trials.kpi_fact), '{}')
    FROM unnest(p_attendance) a JOIN unnest(p_events) e ON e.id = a.event_id
    LEFT JOIN unnest(p_enrolments) n ON n.event_id = a.event_id AND n.pupil_token = a.pupil_token
    CROSS JOIN LATERAL (VALUES ('region', e.region), ('venue', e.venue), ('school', n.school)) k (scope, key)
    WHERE a.attended AND k.key IS NOT NULL
$$;
REVOKE ALL ON FUNCTION trials.kpi_facts(trials.attendance[], trials.events[], trials.enrolments[]) FROM PUBLIC;

CREATE FUNCTION trials.kpi_attendance_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old trials.attendance[] := '{}';
    v_new trials.attendance[] := '{}';
    v_events bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := ARRAY(SELECT o::trials.attendance FROM kpi_old o WHERE o.attended);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        v_new := ARRAY(SELECT n::trials.attendance FROM kpi_new n WHERE n.attended);
    END IF;
    IF cardinality(v_old) = 0 AND cardinality(v_new) = 0 THEN
        RETURN NULL;
    END IF;
    v_events := ARRAY(SELECT a.event_id FROM unnest(v_old) a UNION SELECT a.event_id FROM unnest(v_new) a);
    PERFORM trials.kpi_apply(
        trials.kpi_facts(v_old, ARRAY(SELECT e FROM trials.events e WHERE e.id IN (SELECT unnest(v_events))),
            ARRAY(SELECT n FROM trials.enrolments n JOIN unnest(v_old) a ON a.event_id = n.event_id AND a.pupil_token = n.pupil_token)),
        trials.kpi_facts(v_new, ARRAY(SELECT e FROM trials.events e WHERE e.id IN (SELECT unnest(v_events))),
            ARRAY(SELECT n FROM trials.enrolments n JOIN unnest(v_new) a ON a.event_id = n.event_id AND a.pupil_token = n.pupil_token)));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION trials.kpi_attendance_changed() FROM PUBLIC;
CREATE TRIGGER kpi_attendance_inserted AFTER INSERT ON trials.attendance
    REFERENCING NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_attendance_changed();
CREATE TRIGGER kpi_attendance_updated AFTER UPDATE ON trials.attendance
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_attendance_changed();
CREATE TRIGGER kpi_attendance_deleted AFTER DELETE ON trials.attendance
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_attendance_changed();

-- Events: a change of end, region or venue moves the event's attended rows (seated counts and
-- status changes move nothing and return at once).
CREATE FUNCTION trials.kpi_events_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old trials.events[] := '{}';
    v_new trials.events[] := '{}';
    v_ids bigint[];
    v_attendance trials.attendance[];
BEGIN
    IF TG_OP = 'UPDATE' THEN
        v_ids := ARRAY(
            SELECT n.id FROM kpi_new n JOIN kpi_old o ON o.id = n.id
            WHERE (n.ends_at, n.region, n.venue) IS DISTINCT FROM (o.ends_at, o.region, o.venue));
        IF cardinality(v_ids) = 0 THEN
            RETURN NULL;
        END IF;
        v_old := ARRAY(SELECT o::trials.events FROM kpi_old o WHERE o.id IN (SELECT unnest(v_ids)));
        v_new := ARRAY(SELECT n::trials.events FROM kpi_new n WHERE n.id IN (SELECT unnest(v_ids)));
    ELSE
        v_old := ARRAY(SELECT o::trials.events FROM kpi_old o);
        v_ids := ARRAY(SELECT o.id FROM kpi_old o);
    END IF;
    v_attendance := ARRAY(SELECT a FROM trials.attendance a WHERE a.event_id IN (SELECT unnest(v_ids)) AND a.attended);
    IF cardinality(v_attendance) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM trials.kpi_apply(
        trials.kpi_facts(v_attendance, v_old, ARRAY(SELECT n FROM trials.enrolments n WHERE n.event_id IN (SELECT unnest(v_ids)))),
        trials.kpi_facts(v_attendance, v_new, ARRAY(SELECT n FROM trials.enrolments n WHERE n.event_id IN (SELECT unnest(v_ids)))));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION trials.kpi_events_changed() FROM PUBLIC;
CREATE TRIGGER kpi_events_updated AFTER UPDATE ON trials.events
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_events_changed();
CREATE TRIGGER kpi_events_deleted AFTER DELETE ON trials.events
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_events_changed();

-- Enrolments: the school of an attended pupil's enrolment (set, changed, or the enrolment gone).
CREATE FUNCTION trials.kpi_enrolments_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old trials.enrolments[] := '{}';
    v_new trials.enrolments[] := '{}';
    v_attendance trials.attendance[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := ARRAY(SELECT o::trials.enrolments FROM kpi_old o);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        v_new := ARRAY(SELECT n::trials.enrolments FROM kpi_new n);
    END IF;
    IF TG_OP = 'UPDATE' AND NOT EXISTS (
        SELECT FROM unnest(v_new) n FULL JOIN unnest(v_old) o ON o.event_id = n.event_id AND o.pupil_token = n.pupil_token
        WHERE n.school IS DISTINCT FROM o.school OR n.event_id IS NULL OR o.event_id IS NULL)
    THEN
        RETURN NULL;
    END IF;
    v_attendance := ARRAY(
        SELECT a FROM trials.attendance a
        WHERE a.attended AND (a.event_id, a.pupil_token) IN (
            SELECT o.event_id, o.pupil_token FROM unnest(v_old) o UNION SELECT n.event_id, n.pupil_token FROM unnest(v_new) n));
    IF cardinality(v_attendance) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM trials.kpi_apply(
        trials.kpi_facts(v_attendance, ARRAY(SELECT e FROM trials.events e WHERE e.id IN (SELECT a.event_id FROM unnest(v_attendance) a)),
            ARRAY(SELECT n FROM trials.enrolments n JOIN unnest(v_attendance) a ON a.event_id = n.event_id AND a.pupil_token = n.pupil_token
                  WHERE (n.event_id, n.pupil_token) NOT IN (SELECT x.event_id, x.pupil_token FROM unnest(v_new) x)
                  UNION ALL SELECT o FROM unnest(v_old) o)),
        trials.kpi_facts(v_attendance, ARRAY(SELECT e FROM trials.events e WHERE e.id IN (SELECT a.event_id FROM unnest(v_attendance) a)),
            ARRAY(SELECT n FROM trials.enrolments n JOIN unnest(v_attendance) a ON a.event_id = n.event_id AND a.pupil_token = n.pupil_token)));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION trials.kpi_enrolments_changed() FROM PUBLIC;
CREATE TRIGGER kpi_enrolments_inserted AFTER INSERT ON trials.enrolments
    REFERENCING NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_enrolments_changed();
CREATE TRIGGER kpi_enrolments_updated AFTER UPDATE ON trials.enrolments
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_enrolments_changed();
CREATE TRIGGER kpi_enrolments_deleted AFTER DELETE ON trials.enrolments
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION trials.kpi_enrolments_changed();

CREATE FUNCTION trials.kpi_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
BEGIN
    LOCK TABLE trials.attendance, trials.events, trials.enrolments IN SHARE MODE;
    DELETE FROM trials.kpi_counter_slots;
    PERFORM trials.kpi_apply('{}', trials.kpi_facts(
        ARRAY(SELECT a FROM trials.attendance a WHERE a.attended), ARRAY(SELECT e FROM trials.events e),
        ARRAY(SELECT n FROM trials.enrolments n)));
END;
$$;
REVOKE ALL ON FUNCTION trials.kpi_rebuild() FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- recommendations

CREATE TABLE recommendations.kpi_counter_slots (
    region text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('region', 'school')),
    key text NOT NULL,
    month date NOT NULL,
    measure text NOT NULL CHECK (measure IN ('recommendations_delivered')),
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 15),
    n bigint NOT NULL,
    PRIMARY KEY (region, scope, key, month, measure, slot)
);
CREATE VIEW recommendations.kpi_counters AS
    SELECT region, scope, key, month, measure, sum(n)::bigint AS n
    FROM recommendations.kpi_counter_slots GROUP BY region, scope, key, month, measure;
GRANT SELECT ON recommendations.kpi_counters TO bilet_recommendations;

CREATE TYPE recommendations.kpi_fact AS (region text, scope text, key text, month date, measure text, entity text);

CREATE FUNCTION recommendations.kpi_apply(p_before recommendations.kpi_fact[], p_after recommendations.kpi_fact[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_negative bigint;
    -- One of 16 slots per counter, by the connection: concurrent changes of one region and month
    -- from different connections update different rows instead of queueing on one.
    v_slot smallint := (pg_backend_pid() % 16)::smallint;
BEGIN
    INSERT INTO recommendations.kpi_counter_slots AS c (region, scope, key, month, measure, slot, n)
    SELECT d.region, d.scope, d.key, d.month, d.measure, v_slot, sum(d.delta)::bigint
    FROM (
        SELECT a.region, a.scope, a.key, a.month, a.measure, count(DISTINCT a.entity) AS delta
        FROM unnest(p_after) a GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT b.region, b.scope, b.key, b.month, b.measure, -count(DISTINCT b.entity)
        FROM unnest(p_before) b GROUP BY 1, 2, 3, 4, 5
    ) d
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.delta) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (region, scope, key, month, measure, slot) DO UPDATE SET n = c.n + EXCLUDED.n;
    -- Only a decrement can take a counter (the sum of its slots) below zero.
    SELECT count(*) INTO v_negative FROM (
        SELECT sum(s.n) AS total FROM recommendations.kpi_counter_slots s
        WHERE (s.region, s.scope, s.key, s.month, s.measure) IN (
            SELECT b.region, b.scope, b.key, b.month, b.measure FROM unnest(p_before) b)
        GROUP BY s.region, s.scope, s.key, s.month, s.measure
    ) t WHERE t.total < 0;
    IF v_negative > 0 THEN
        RAISE EXCEPTION 'recommendations.kpi_counters: a counter would fall below zero' USING ERRCODE = '23514';
    END IF;
END;
$$;
REVOKE ALL ON FUNCTION recommendations.kpi_apply(recommendations.kpi_fact[], recommendations.kpi_fact[]) FROM PUBLIC;

CREATE FUNCTION recommendations.kpi_facts(p_items recommendations.items[]) RETURNS recommendations.kpi_fact[]
LANGUAGE sql STABLE SET search_path = pg_catalog SET jit = off AS $$
    SELECT coalesce(array_agg(ROW(i.region, k.scope, k.key, (date_trunc('month', i.published_at AT TIME ZONE 'UTC'))::date,
                                  'recommendations_delivered', i.pupil_token)::recommendations.kpi_fact), '{}')
    FROM unnest(p_items) i CROSS JOIN LATERAL (VALUES ('region', i.region), ('school', i.school)) k (scope, key)
    WHERE i.status = 'published' AND i.region IS NOT NULL AND k.key IS NOT NULL
$$;
REVOKE ALL ON FUNCTION recommendations.kpi_facts(recommendations.items[]) FROM PUBLIC;

-- Items: a pupil counts once per month with any published item, so the affected pupils' published
-- items are counted before and after the statement.
CREATE FUNCTION recommendations.kpi_items_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
DECLARE
    v_old recommendations.items[] := '{}';
    v_new recommendations.items[] := '{}';
    v_pupils text[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := ARRAY(SELECT o::recommendations.items FROM kpi_old o WHERE o.status = 'published');
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        v_new := ARRAY(SELECT n::recommendations.items FROM kpi_new n WHERE n.status = 'published');
    END IF;
    IF cardinality(v_old) = 0 AND cardinality(v_new) = 0 THEN
        RETURN NULL;
    END IF;
    v_pupils := ARRAY(SELECT i.pupil_token FROM unnest(v_old) i UNION SELECT i.pupil_token FROM unnest(v_new) i);
    PERFORM recommendations.kpi_apply(
        recommendations.kpi_facts(ARRAY(
            SELECT i FROM recommendations.items i
            WHERE i.pupil_token IN (SELECT unnest(v_pupils)) AND i.status = 'published' AND i.id NOT IN (SELECT n.id FROM unnest(v_new) n)
            UNION ALL SELECT o FROM unnest(v_old) o)),
        recommendations.kpi_facts(ARRAY(
            SELECT i FROM recommendations.items i WHERE i.pupil_token IN (SELECT unnest(v_pupils)) AND i.status = 'published')));
    RETURN NULL;
END;
$$;
REVOKE ALL ON FUNCTION recommendations.kpi_items_changed() FROM PUBLIC;
CREATE TRIGGER kpi_items_inserted AFTER INSERT ON recommendations.items
    REFERENCING NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION recommendations.kpi_items_changed();
CREATE TRIGGER kpi_items_updated AFTER UPDATE ON recommendations.items
    REFERENCING OLD TABLE AS kpi_old NEW TABLE AS kpi_new FOR EACH STATEMENT EXECUTE FUNCTION recommendations.kpi_items_changed();
CREATE TRIGGER kpi_items_deleted AFTER DELETE ON recommendations.items
    REFERENCING OLD TABLE AS kpi_old FOR EACH STATEMENT EXECUTE FUNCTION recommendations.kpi_items_changed();

CREATE FUNCTION recommendations.kpi_rebuild() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog SET jit = off AS $$
BEGIN
    LOCK TABLE recommendations.items IN SHARE MODE;
    DELETE FROM recommendations.kpi_counter_slots;
    PERFORM recommendations.kpi_apply('{}', recommendations.kpi_facts(
        ARRAY(SELECT i FROM recommendations.items i WHERE i.status = 'published')));
END;
$$;
REVOKE ALL ON FUNCTION recommendations.kpi_rebuild() FROM PUBLIC;

-- Backfill from the rows written before this migration.
SELECT vault.kpi_rebuild();
SELECT assessment.kpi_rebuild();
SELECT trials.kpi_rebuild();
SELECT recommendations.kpi_rebuild();
