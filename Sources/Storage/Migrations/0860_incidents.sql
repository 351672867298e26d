-- 0860 incidents: the register of personal-data breaches (152-FZ art. 21 part 3.1; issue 15,
-- part 6). One row per incident: when it was discovered, its kind and status, a confidential
-- description, and its scope in the audit log (a window, and optionally one actor, one client
-- certificate serial, one organisation). The notices to Roskomnadzor are due 24 hours (the first
-- notice) and 72 hours (the results of the investigation) after discovery; the row records when
-- each was sent.
--
-- Privileges (invariant 3): the gateway process keeps the register as its own role, bilet_gateway
-- (which already appends the trials' and recommendations' events): it may read, insert and change
-- only the status, the description and the two sent times; it deletes nothing and never changes
-- the discovery time, kind or scope of a recorded incident. It cannot read the audit log: the
-- affected data subjects and organisations come from incidents.affected(id), SECURITY DEFINER,
-- which returns only the distinct subject tokens and organisations the stored scope selects.
-- It appends incident.changed (catalogue v4; policy.decided it already writes).
CREATE SCHEMA incidents;
REVOKE ALL ON SCHEMA incidents FROM PUBLIC;
GRANT USAGE ON SCHEMA incidents TO bilet_gateway;

CREATE TABLE incidents.incidents (
    id text PRIMARY KEY CHECK (id ~ '^inc_[A-Za-z0-9_-]{22}$'),
    kind text NOT NULL CHECK (kind IN ('unauthorised_access', 'disclosure', 'loss', 'alteration', 'other')),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'investigating', 'closed')),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 4000),
    discovered_at timestamptz NOT NULL,
    scope_from timestamptz NOT NULL,
    scope_until timestamptz NOT NULL,
    scope_actor text CHECK (scope_actor ~ '^[a-z]+:[A-Za-z0-9:/._-]{1,128}$'),
    scope_certificate text CHECK (scope_certificate ~ '^[0-9a-f]{1,64}$'),
    scope_organisation text CHECK (scope_organisation ~ '^bilet://(school|venue|region)/[A-Za-z0-9-]{1,32}$'),
    first_notice_sent_at timestamptz,
    results_sent_at timestamptz,
    recorded_by text NOT NULL CHECK (recorded_by ~ '^[a-z]+:'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Discovery is a past event: the database's clock decides, not the caller's.
    CHECK (discovered_at <= created_at),
    CHECK (scope_from < scope_until),
    CHECK (results_sent_at IS NULL OR first_notice_sent_at IS NOT NULL)
);
CREATE INDEX incidents_by_discovery ON incidents.incidents (discovered_at DESC);

GRANT SELECT, INSERT ON incidents.incidents TO bilet_gateway;

-- The register as the gateway reads it: every column in one fixed order, with the database's clock
-- at the read (the deadlines are judged by it, never by a caller's clock).
CREATE VIEW incidents.register AS
SELECT id, kind, status, description, discovered_at, scope_from, scope_until, scope_actor, scope_certificate,
       scope_organisation, first_notice_sent_at, results_sent_at, recorded_by, created_at, updated_at,
       clock_timestamp() AS read_at
FROM incidents.incidents;
GRANT SELECT ON incidents.register TO bilet_gateway;
GRANT UPDATE (status, description, first_notice_sent_at, results_sent_at, updated_at) ON incidents.incidents TO bilet_gateway;

-- The data subjects and organisations an incident's scope selects in the audit log: the
-- permitted events that released or changed personal data (pii.read, pii.written,
-- token.resolved, consent.scan_downloaded) recorded in [scope_from, scope_until), by the scope's
-- actor, by an actor that signed in (auth.succeeded) with the scope's certificate before the
-- window ended, and by an account of the scope's organisation, whichever the scope names (all of
-- them when it names several). An organisation is the organisation of an account whose events
-- matched: the organisation through whose access the data was exposed.
CREATE OR REPLACE FUNCTION incidents.affected(p_incident text)
RETURNS TABLE (item text, value text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, incidents AS $$
    WITH scope AS (
        SELECT scope_from, scope_until, scope_actor, scope_certificate, scope_organisation
        FROM incidents.incidents WHERE id = p_incident
    ), exposed AS (
        SELECT e.subject, e.actor, a.organisation
        FROM audit.events e CROSS JOIN scope s
        LEFT JOIN accounts.accounts a ON e.actor = 'user:' || a.id
        WHERE e.kind IN ('pii.read', 'pii.written', 'token.resolved', 'consent.scan_downloaded')
          AND e.decision = 'permit' AND e.subject IS NOT NULL
          AND e.recorded_at >= s.scope_from AND e.recorded_at < s.scope_until
          AND (s.scope_actor IS NULL OR e.actor = s.scope_actor)
          AND (s.scope_organisation IS NULL OR a.organisation = s.scope_organisation)
          AND (s.scope_certificate IS NULL OR EXISTS (
                SELECT 1 FROM audit.events l
                WHERE l.kind = 'auth.succeeded' AND l.actor = e.actor AND l.recorded_at < s.scope_until
                  AND lower(l.payload ->> 'certificate') IN (s.scope_certificate, 'serial:' || s.scope_certificate)))
    )
    SELECT DISTINCT 'subject', subject FROM exposed
    UNION
    SELECT DISTINCT 'organisation', organisation FROM exposed WHERE organisation IS NOT NULL
    ORDER BY 1, 2
$$;
REVOKE ALL ON FUNCTION incidents.affected(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION incidents.affected(text) TO bilet_gateway;

-- Writer kinds (catalogue v4 `writers`, audit/catalogue/v4.json; WriterBindingTests keeps them equal).
INSERT INTO audit.writer_kinds (writer, kind) VALUES ('bilet_gateway', 'incident.changed') ON CONFLICT DO NOTHING;
