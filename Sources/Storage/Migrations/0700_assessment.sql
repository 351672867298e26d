-- 0700 assessment (issue #11): versioned tests, assignments, sessions with their saved answers,
-- results and the pupil's digital footprint with its history, replacing the stub table of 0201.
--
-- Pupils are known here only by their assessment token (asm_…); no name, birth date, SNILS or
-- vault token. Staff appear as their account ids (usr_…), which are not pupils' data.
--
-- * assessment.tests: one row per (code, version); a draft may be replaced, a published version
--   never: the trigger tests_published_immutable refuses every UPDATE and DELETE of a published
--   row, whoever runs it (the module's role has no DELETE at all).
-- * assessment.assignments pin a published version (tests_assignable refuses a draft).
-- * assessment.sessions: one per attempt; at most one open session per assignment; the deadline
--   is fixed when the session starts.
-- * assessment.answers: one row per (session, question), saved as each answer arrives.
-- * assessment.results: one per finished session (submitted, or expired and scored with what was
--   saved). assessment.footprint: the current value per dimension; footprint_history: a row per
--   change naming the session it came from.
-- * assessment.erase_pupil(token): the module's part of a pupil's erasure (the vault calls it as
--   bilet_vault, 0690 made the stub's version and granted the schema's USAGE): refuses anything
--   but an assessment token, deletes every row of the token, one result row per table.
--
-- Privileges (invariant 3): bilet_assessment only, per table; no DELETE except through
-- erase_pupil, which runs as the owner.

DROP TABLE assessment.results;

CREATE TABLE assessment.tests (
    code text NOT NULL CHECK (code ~ '^[a-z0-9-]{1,64}$'),
    version integer NOT NULL CHECK (version >= 1),
    title text NOT NULL,
    definition text NOT NULL,
    time_limit_seconds integer NOT NULL CHECK (time_limit_seconds BETWEEN 60 AND 14400),
    max_attempts integer NOT NULL CHECK (max_attempts BETWEEN 1 AND 10),
    state text NOT NULL CHECK (state IN ('draft', 'published')),
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL,
    published_by text,
    published_at timestamptz,
    PRIMARY KEY (code, version),
    CHECK ((state = 'published') = (published_at IS NOT NULL AND published_by IS NOT NULL))
);

CREATE FUNCTION assessment.tests_published_immutable() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF OLD.state = 'published' THEN
        RAISE EXCEPTION 'a published test version is immutable' USING ERRCODE = 'P0001';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.code <> OLD.code OR NEW.version <> OLD.version THEN
        RAISE EXCEPTION 'a test version keeps its code and number' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION assessment.tests_published_immutable() FROM PUBLIC;
CREATE TRIGGER tests_published_immutable BEFORE UPDATE OR DELETE ON assessment.tests
    FOR EACH ROW EXECUTE FUNCTION assessment.tests_published_immutable();

CREATE TABLE assessment.assignments (
    id uuid PRIMARY KEY,
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    test_code text NOT NULL,
    test_version integer NOT NULL,
    assigned_by text NOT NULL,
    assigned_at timestamptz NOT NULL,
    due_at timestamptz,
    FOREIGN KEY (test_code, test_version) REFERENCES assessment.tests (code, version)
);
CREATE INDEX assignments_pupil ON assessment.assignments (pupil_token, assigned_at);

CREATE FUNCTION assessment.tests_assignable() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM assessment.tests WHERE code = NEW.test_code AND version = NEW.test_version AND state = 'published'
    ) THEN
        RAISE EXCEPTION 'only a published test version can be assigned' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END;
$$;
REVOKE ALL ON FUNCTION assessment.tests_assignable() FROM PUBLIC;
CREATE TRIGGER assignments_published_only BEFORE INSERT OR UPDATE ON assessment.assignments
    FOR EACH ROW EXECUTE FUNCTION assessment.tests_assignable();

CREATE TABLE assessment.sessions (
    id uuid PRIMARY KEY,
    assignment_id uuid NOT NULL REFERENCES assessment.assignments (id),
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    attempt integer NOT NULL CHECK (attempt >= 1),
    started_at timestamptz NOT NULL,
    deadline_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'submitted', 'expired')),
    finished_at timestamptz,
    UNIQUE (assignment_id, attempt),
    CHECK ((status = 'open') = (finished_at IS NULL))
);
CREATE UNIQUE INDEX sessions_one_open ON assessment.sessions (assignment_id) WHERE status = 'open';
CREATE INDEX sessions_pupil ON assessment.sessions (pupil_token);

CREATE TABLE assessment.answers (
    session_id uuid NOT NULL REFERENCES assessment.sessions (id),
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    question_id text NOT NULL,
    answer text NOT NULL,
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (session_id, question_id)
);
CREATE INDEX answers_pupil ON assessment.answers (pupil_token);

CREATE TABLE assessment.results (
    session_id uuid PRIMARY KEY REFERENCES assessment.sessions (id),
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    test_code text NOT NULL,
    test_version integer NOT NULL,
    scores text NOT NULL,
    answered integer NOT NULL CHECK (answered >= 0),
    questions integer NOT NULL CHECK (questions >= 0),
    outcome text NOT NULL CHECK (outcome IN ('submitted', 'expired')),
    completed_at timestamptz NOT NULL
);
CREATE INDEX results_pupil ON assessment.results (pupil_token, completed_at);

CREATE TABLE assessment.footprint (
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    dimension text NOT NULL,
    value integer NOT NULL CHECK (value BETWEEN 0 AND 100),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (pupil_token, dimension)
);

CREATE TABLE assessment.footprint_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    dimension text NOT NULL,
    old_value integer CHECK (old_value BETWEEN 0 AND 100),
    new_value integer NOT NULL CHECK (new_value BETWEEN 0 AND 100),
    source_session uuid NOT NULL REFERENCES assessment.sessions (id),
    changed_at timestamptz NOT NULL
);
CREATE INDEX footprint_history_pupil ON assessment.footprint_history (pupil_token, id);

GRANT SELECT, INSERT, UPDATE ON assessment.tests TO bilet_assessment;
GRANT SELECT, INSERT ON assessment.assignments TO bilet_assessment;
GRANT SELECT, INSERT, UPDATE ON assessment.sessions TO bilet_assessment;
GRANT SELECT, INSERT, UPDATE ON assessment.answers TO bilet_assessment;
GRANT SELECT, INSERT ON assessment.results TO bilet_assessment;
GRANT SELECT, INSERT, UPDATE ON assessment.footprint TO bilet_assessment;
GRANT SELECT, INSERT ON assessment.footprint_history TO bilet_assessment;
GRANT USAGE ON SEQUENCE assessment.footprint_history_id_seq TO bilet_assessment;

-- The module's part of erasure: every row of the pupil's token, children first.
CREATE OR REPLACE FUNCTION assessment.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, assessment AS $$
DECLARE
    n bigint;
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'asm\_%' THEN
        RAISE EXCEPTION 'not an assessment token' USING ERRCODE = '22023';
    END IF;
    DELETE FROM assessment.footprint_history WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'footprint_history'; removed := n; RETURN NEXT;
    DELETE FROM assessment.footprint WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'footprint'; removed := n; RETURN NEXT;
    DELETE FROM assessment.results WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'results'; removed := n; RETURN NEXT;
    DELETE FROM assessment.answers WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'answers'; removed := n; RETURN NEXT;
    DELETE FROM assessment.sessions WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'sessions'; removed := n; RETURN NEXT;
    DELETE FROM assessment.assignments WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT; item := 'assignments'; removed := n; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION assessment.erase_pupil(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION assessment.erase_pupil(text) TO bilet_vault;
