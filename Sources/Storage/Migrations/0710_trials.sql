-- 0710 trials: professional trials («профпробы») and mass events (issue 11, item 2), replacing the
-- stub trials.attendance of 0201.
--
-- Venues register places and mentors (staff accounts of the venue with role mentor) and create
-- events; the regional coordinator of the venue's region approves or returns them; navigators
-- enrol pupils in approved events; the mentor running an event marks attendance, grades and gives
-- feedback. Pupils are known here only by their trials token (trl_…): no name, birth date, SNILS or
-- vault token (invariant 2). Venues, regions and accounts are registry codes and account ids.
--
-- Capacity holds under concurrency: an enrolment locks its event's row (SELECT … FOR UPDATE) and
-- keeps events.seated, the number of seated pupils, in the same transaction; CHECK (seated <=
-- capacity) is the database's own last line, so no interleaving can overbook. Beyond capacity a
-- pupil waits in order (enrolments.position); cancelling a seat promotes the first waiting pupil.
--
-- Privileges (invariant 3): bilet_trials (held by the gateway process) reads and writes these
-- tables only; it never reaches the vault or the audit log (the gateway appends the trials audit
-- records as bilet_gateway). The vault erases a pupil's rows through trials.erase_pupil (SECURITY
-- DEFINER, EXECUTE for bilet_vault only; 0690 made the stub one and gave bilet_vault USAGE on the
-- schema), and records the enrolled_in and run_by relationship facts the mentors' name reads are
-- decided on (0690 gave bilet_vault INSERT and UPDATE (expired_at) on policy.relationships).
DROP TABLE trials.attendance;

-- A place of a venue: a room, a workshop, a hall.
CREATE TABLE trials.places (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue text NOT NULL CHECK (venue ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(venue) <= 32),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    address text NOT NULL CHECK (length(address) BETWEEN 1 AND 1000),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 100000),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX places_venue ON trials.places (venue);

-- A mentor of a venue (a staff account with role mentor, checked by the gateway against accounts).
CREATE TABLE trials.mentors (
    venue text NOT NULL,
    account text NOT NULL CHECK (account ~ '^usr_[A-Za-z0-9_-]{1,64}$'),
    registered_by text NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (venue, account)
);

-- An event. status: draft → submitted → approved | returned (with a reason); a returned event is
-- edited and submitted again. Only approved events take enrolments.
CREATE TABLE trials.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    venue text NOT NULL,
    region text NOT NULL CHECK (region ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(region) <= 32),
    kind text NOT NULL CHECK (kind IN ('trial', 'mass_event')),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    place_id bigint NOT NULL REFERENCES trials.places (id),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 100000),
    sphere text NOT NULL CHECK (sphere ~ '^[a-z0-9_]{1,64}$'),
    competencies text[] NOT NULL DEFAULT '{}' CHECK (cardinality(competencies) <= 64),
    format text NOT NULL CHECK (format IN ('in_person', 'online')),
    mentor text,
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    return_reason text CHECK (length(return_reason) BETWEEN 1 AND 2000),
    seated integer NOT NULL DEFAULT 0 CHECK (seated >= 0),
    created_by text NOT NULL,
    decided_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT events_window CHECK (starts_at < ends_at),
    CONSTRAINT events_no_overbooking CHECK (seated <= capacity),
    CONSTRAINT events_mentor_of_venue FOREIGN KEY (venue, mentor) REFERENCES trials.mentors (venue, account)
);
CREATE INDEX events_venue ON trials.events (venue, starts_at);
CREATE INDEX events_region_status ON trials.events (region, status, starts_at);
CREATE INDEX events_mentor ON trials.events (mentor) WHERE mentor IS NOT NULL;

-- A pupil's enrolment: seated, or waiting (in position order).
CREATE TABLE trials.enrolments (
    event_id bigint NOT NULL REFERENCES trials.events (id),
    pupil_token text NOT NULL CHECK (pupil_token ~ '^trl_[A-Za-z0-9_-]{16,64}$'),
    state text NOT NULL CHECK (state IN ('seated', 'waiting')),
    position bigint GENERATED ALWAYS AS IDENTITY,
    enrolled_by text NOT NULL,
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    seated_at timestamptz,
    PRIMARY KEY (event_id, pupil_token)
);
CREATE INDEX enrolments_waiting ON trials.enrolments (event_id, position) WHERE state = 'waiting';
CREATE INDEX enrolments_pupil ON trials.enrolments (pupil_token);

-- Attendance, the grade (1-5) and the written feedback of the mentor running the event.
CREATE TABLE trials.attendance (
    event_id bigint NOT NULL REFERENCES trials.events (id),
    pupil_token text NOT NULL CHECK (pupil_token ~ '^trl_[A-Za-z0-9_-]{16,64}$'),
    attended boolean NOT NULL,
    grade integer CHECK (grade BETWEEN 1 AND 5),
    feedback text CHECK (length(feedback) <= 4000),
    marked_by text NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, pupil_token),
    CONSTRAINT attendance_grade_if_attended CHECK (attended OR grade IS NULL)
);
CREATE INDEX attendance_pupil ON trials.attendance (pupil_token);

GRANT SELECT, INSERT ON trials.places TO bilet_trials;
GRANT SELECT, INSERT ON trials.mentors TO bilet_trials;
GRANT SELECT, INSERT ON trials.events TO bilet_trials;
GRANT UPDATE (kind, title, starts_at, ends_at, place_id, capacity, sphere, competencies, format, mentor, status, return_reason,
              seated, decided_by, updated_at) ON trials.events TO bilet_trials;
GRANT SELECT, INSERT, DELETE ON trials.enrolments TO bilet_trials;
GRANT UPDATE (state, seated_at) ON trials.enrolments TO bilet_trials;
GRANT SELECT, INSERT ON trials.attendance TO bilet_trials;
GRANT UPDATE (attended, grade, feedback, marked_by, marked_at) ON trials.attendance TO bilet_trials;

-- Erasure (issue 11, item 5): every row of the token, seats freed (the first waiting pupil of each
-- freed event is seated), one row per table with the count removed.
CREATE OR REPLACE FUNCTION trials.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, trials AS $$
DECLARE
    v_event bigint;
    v_count bigint;
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
        PERFORM 1 FROM trials.events ev WHERE ev.id = v_event FOR UPDATE;
        IF EXISTS (SELECT FROM trials.enrolments e WHERE e.event_id = v_event AND e.pupil_token = p_token AND e.state = 'seated') THEN
            UPDATE trials.events SET seated = seated - 1 WHERE id = v_event;
            DELETE FROM trials.enrolments e WHERE e.event_id = v_event AND e.pupil_token = p_token;
            UPDATE trials.enrolments SET state = 'seated', seated_at = now()
            WHERE event_id = v_event AND pupil_token = (
                SELECT w.pupil_token FROM trials.enrolments w WHERE w.event_id = v_event AND w.state = 'waiting'
                ORDER BY w.position LIMIT 1);
            IF FOUND THEN
                UPDATE trials.events SET seated = seated + 1 WHERE id = v_event;
            END IF;
        ELSE
            DELETE FROM trials.enrolments e WHERE e.event_id = v_event AND e.pupil_token = p_token;
        END IF;
        v_count := v_count + 1;
    END LOOP;
    item := 'enrolments'; removed := v_count; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION trials.erase_pupil(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trials.erase_pupil(text) TO bilet_vault;

-- Writer kinds (catalogue v4 `writers`, audit/catalogue/v4.json): the gateway appends the trials
-- records; the vault records the relationship facts it writes.
INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_gateway', 'trials.event_changed'),
    ('bilet_gateway', 'trials.enrolment_changed'),
    ('bilet_gateway', 'trials.attendance_marked'),
    ('bilet_vault', 'trials.relationship_recorded');
