-- 0100 audit log: the Merkle tree over audit.events, signed checkpoints, the bounded append
-- function, retention and the destruction register (issue 5; design in audit/README.md).
--
-- Privileges (invariant 3):
-- * application roles (vault, identity, ca, policy, gateway) may only append: INSERT on the
--   event columns they are allowed to set, and EXECUTE on audit.append. They cannot set id, xid,
--   recorded_at or pruned_at, cannot read anything back, never UPDATE, DELETE or TRUNCATE;
-- * the sequencer (bilet_audit) reads events and appends leaves, tree nodes, checkpoints and
--   witness cosignatures: SELECT and INSERT only, never UPDATE or DELETE;
-- * payloads are pruned only through audit.prune_expired_payloads, a SECURITY DEFINER function
--   (owned by the migrating administrator) that nulls payloads past their retention term and
--   records each destruction; bilet_audit may execute it and has no UPDATE privilege itself.

-- Events: who wrote them (xid, for commit-order-safe sequencing), catalogue version, the
-- attributes compliance officers query by, and pruning. recorded_at is the wall clock of the
-- insert, not the transaction start.
ALTER TABLE audit.events
    ADD COLUMN xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    ADD COLUMN catalogue_version integer,
    ADD COLUMN actor text,
    ADD COLUMN subject text,
    ADD COLUMN decision text,
    ADD COLUMN purpose text,
    ADD COLUMN pruned_at timestamptz;
ALTER TABLE audit.events ALTER COLUMN recorded_at SET DEFAULT clock_timestamp();
ALTER TABLE audit.events ALTER COLUMN payload DROP NOT NULL;

CREATE INDEX events_xid_id ON audit.events (xid, id);
CREATE INDEX events_recorded_at ON audit.events (recorded_at);
CREATE INDEX events_subject ON audit.events (subject, recorded_at) WHERE subject IS NOT NULL;

-- Appenders may set only these columns; id, xid, recorded_at and pruned_at are the server's.
REVOKE INSERT ON audit.events FROM bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;
GRANT INSERT (kind, payload, catalogue_version, actor, subject, decision, purpose) ON audit.events
    TO bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;

-- One leaf per integrated event, indices 0, 1, 2 … without gaps. payload_digest is SHA-256 of the
-- payload as PostgreSQL renders it (payload::text), kept so proofs and verification survive
-- pruning; leaf_hash is the RFC 9162 leaf hash of the event's canonical leaf input.
CREATE TABLE audit.leaves (
    leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
    event_id bigint NOT NULL UNIQUE,
    event_xid xid8 NOT NULL,
    payload_digest bytea NOT NULL CHECK (length(payload_digest) = 32),
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
    integrated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Every complete perfect subtree at level >= 1, keyed by level << 56 | index. Written once when
-- the subtree completes, never changed: inclusion and consistency proofs read O(log n) of them.
CREATE TABLE audit.tree_nodes (
    node_key bigint PRIMARY KEY,
    hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- Signed checkpoints, numbered 1, 2, 3 … (the number is also inside the signed text).
CREATE TABLE audit.checkpoints (
    sequence bigint PRIMARY KEY CHECK (sequence >= 1),
    tree_size bigint NOT NULL CHECK (tree_size >= 0),
    root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
    signed_at timestamptz NOT NULL,
    note text NOT NULL
);
CREATE INDEX checkpoints_tree_size ON audit.checkpoints (tree_size, sequence);

-- Cosignatures by outside witnesses (keys the operator does not hold), added as they arrive.
CREATE TABLE audit.checkpoint_cosignatures (
    sequence bigint NOT NULL REFERENCES audit.checkpoints (sequence),
    signature_line text NOT NULL,
    added_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (sequence, signature_line)
);

-- Retention terms per event type ('*' is the default). Changed only by the administrator.
CREATE TABLE audit.retention_terms (
    event_type text PRIMARY KEY,
    term interval NOT NULL CHECK (term > interval '0')
);
INSERT INTO audit.retention_terms (event_type, term) VALUES
    ('*', interval '5 years'),
    ('auth.succeeded', interval '1 year'),
    ('auth.failed', interval '1 year');

-- What was destroyed, whose, which categories, why and when; kept at least three years.
CREATE TABLE audit.destruction_register (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destroyed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    what text NOT NULL,
    subject text,
    categories text[] NOT NULL,
    event_count integer NOT NULL CHECK (event_count > 0),
    first_event_id bigint NOT NULL,
    last_event_id bigint NOT NULL,
    reason text NOT NULL,
    requested_by text NOT NULL,
    keep_until timestamptz NOT NULL
);

-- The append path: one INSERT, with lock waits bounded by p_lock_timeout_ms so a blocked audit
-- table makes the caller's action fail fast (SQLSTATE 55P03) instead of hanging. The SET clause
-- restores the caller's lock_timeout when the function returns. SECURITY INVOKER: the caller's own
-- INSERT privilege applies.
CREATE FUNCTION audit.append(
    p_kind text, p_catalogue_version integer, p_actor text, p_subject text, p_decision text,
    p_purpose text, p_payload jsonb, p_lock_timeout_ms integer
) RETURNS void
LANGUAGE plpgsql SECURITY INVOKER
SET lock_timeout = '2s'
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM set_config('lock_timeout', greatest(1, p_lock_timeout_ms)::text, true);
    INSERT INTO audit.events (kind, catalogue_version, actor, subject, decision, purpose, payload)
    VALUES (p_kind, p_catalogue_version, p_actor, p_subject, p_decision, p_purpose, p_payload);
END
$$;
REVOKE ALL ON FUNCTION audit.append(text, integer, text, text, text, text, jsonb, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append(text, integer, text, text, text, text, jsonb, integer)
    TO bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;

-- Retention: nulls the payloads of integrated events older than their term (at most p_limit),
-- one register entry per subject, and returns how many payloads it destroyed. Leaf hashes and
-- payload digests stay, so every proof and `bilet audit verify` keep working.
CREATE FUNCTION audit.prune_expired_payloads(p_reason text, p_requested_by text, p_limit integer)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    pruned integer;
BEGIN
    IF coalesce(p_reason, '') = '' OR coalesce(p_requested_by, '') = '' THEN
        RAISE EXCEPTION 'a destruction needs a reason and a requester' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    WITH expired AS (
        SELECT e.id
        FROM audit.events e
        JOIN audit.leaves l ON l.event_id = e.id
        WHERE e.payload IS NOT NULL
          AND e.recorded_at < clock_timestamp() - coalesce(
                (SELECT term FROM audit.retention_terms WHERE event_type = e.kind),
                (SELECT term FROM audit.retention_terms WHERE event_type = '*'))
        ORDER BY e.id
        LIMIT greatest(p_limit, 0)
        FOR UPDATE OF e
    ), destroyed AS (
        UPDATE audit.events e SET payload = NULL, pruned_at = clock_timestamp()
        FROM expired WHERE e.id = expired.id
        RETURNING e.id, e.kind, e.subject
    ), registered AS (
        INSERT INTO audit.destruction_register
            (what, subject, categories, event_count, first_event_id, last_event_id, reason, requested_by, keep_until)
        SELECT 'audit event payloads', subject, array_agg(DISTINCT kind ORDER BY kind), count(*), min(id), max(id),
               p_reason, p_requested_by, clock_timestamp() + interval '3 years'
        FROM destroyed GROUP BY subject
        RETURNING event_count
    )
    SELECT coalesce(sum(event_count), 0) INTO pruned FROM registered;
    RETURN pruned;
END
$$;
REVOKE ALL ON FUNCTION audit.prune_expired_payloads(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.prune_expired_payloads(text, text, integer) TO bilet_audit;

-- Register entries past their three years may be removed, and only those.
CREATE FUNCTION audit.purge_destruction_register() RETURNS integer
LANGUAGE sql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    WITH purged AS (DELETE FROM audit.destruction_register WHERE keep_until < clock_timestamp() RETURNING 1)
    SELECT count(*)::integer FROM purged;
$$;
REVOKE ALL ON FUNCTION audit.purge_destruction_register() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.purge_destruction_register() TO bilet_audit;

-- The sequencer and the compliance tools (bilet_audit): read everything, append tree state.
GRANT SELECT, INSERT ON audit.leaves, audit.tree_nodes, audit.checkpoints, audit.checkpoint_cosignatures TO bilet_audit;
GRANT SELECT ON audit.retention_terms, audit.destruction_register TO bilet_audit;
