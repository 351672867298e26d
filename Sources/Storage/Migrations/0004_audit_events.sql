-- 0004 audit.events
--
-- Baseline audit table (invariant 5: every security-relevant action is audited). Append-only for
-- the application roles (vault, identity, ca, policy, gateway): INSERT and nothing else, never
-- UPDATE, DELETE or TRUNCATE (invariant 3). The audit sequencer (bilet_audit) reads it.
-- Payloads carry tokens, field names and keyed hashes, never plaintext personal data (invariant 4).
CREATE TABLE audit.events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}'::jsonb
);

GRANT INSERT ON audit.events TO bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;
GRANT USAGE ON SEQUENCE audit.events_id_seq
    TO bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;
GRANT SELECT ON audit.events TO bilet_audit;
