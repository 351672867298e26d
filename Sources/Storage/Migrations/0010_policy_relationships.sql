-- 0010 policy.relationships
--
-- The relationship facts role policies test (issue 4): a navigator's assignment to a pupil for one
-- school year, a pupil's enrolment in an event, a mentor running an event. Relationships are data,
-- not policy text; the policy engine reads them through Policy's PostgresRelationshipResolver on a
-- connection the caller passes in, so the vault evaluates inside its own transaction.
--
-- One row is one fact, subject --kind--> object, that holds at time t when
--     (valid_from IS NULL OR valid_from <= t)
--     AND (valid_until IS NULL OR t < valid_until + grace)
--     AND (expired_at IS NULL OR t < expired_at)
-- valid_until is the planned end (the end of the school year, of the event); a rule may allow a
-- grace period after it ("until 7 days after"). expired_at is an early end (an assignment moved,
-- an enrolment cancelled): a hard stop that no grace period extends. Facts are never deleted, so
-- a past decision can be replayed; they are expired.
--
-- Names (kind, subject_type, object_type) are schema identifiers; ids are registry codes and
-- vault tokens, never personal data.
--
-- Lookups go from the subject: relationships_lookup answers a one-step question with one index
-- probe and a two-step chain with a prefix scan for the first step and a probe per candidate for
-- the second (subject of the second step = object of the first).
--
-- Owned by the migrating administrator. bilet_policy reads the table, inserts facts and may change
-- expired_at only (history cannot be rewritten); no role may DELETE or TRUNCATE. bilet_vault and
-- bilet_gateway may SELECT (with USAGE on the policy schema). Module roles get nothing.
CREATE TABLE policy.relationships (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL,
    subject_type text NOT NULL,
    subject_id text NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    valid_from timestamptz,
    valid_until timestamptz,
    expired_at timestamptz,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT relationships_names_are_identifiers CHECK (
        kind ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'
        AND subject_type ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'
        AND object_type ~ '^[A-Za-z_][A-Za-z0-9_]{0,62}$'),
    CONSTRAINT relationships_ids_are_short CHECK (
        char_length(subject_id) BETWEEN 1 AND 256 AND char_length(object_id) BETWEEN 1 AND 256),
    CONSTRAINT relationships_validity_not_empty CHECK (valid_from < valid_until)
);

CREATE INDEX relationships_lookup ON policy.relationships
    (kind, subject_type, subject_id, object_type, object_id)
    INCLUDE (valid_from, valid_until, expired_at);

GRANT SELECT, INSERT ON policy.relationships TO bilet_policy;
GRANT UPDATE (expired_at) ON policy.relationships TO bilet_policy;

GRANT USAGE ON SCHEMA policy TO bilet_vault, bilet_gateway;
GRANT SELECT ON policy.relationships TO bilet_vault, bilet_gateway;
