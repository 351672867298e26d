-- 0620 organisations: the organisation registry (issue 10, item 1): the operator, regions, schools
-- and venues, each with its profile (name, address, ИНН, ОГРН), its place in the hierarchy (a school
-- or venue belongs to a region) and the data-processing agreement recorded at registration (number,
-- date, signatory).
--
-- Privileges (invariant 3): the registry connects as its own role, bilet_organisations (held by the
-- gateway process, which registers organisations under policy). It reads and registers
-- organisations and may change only their profile (name, address, profile text) and its time; it
-- never changes an organisation's kind, id, region, ИНН, ОГРН or agreement, and deletes nothing.
-- It appends organisation.changed, and policy.decided for the denials it answers.
--
-- The signatory of an agreement is the legal entity's head as the ЕГРЮЛ publishes it; it is
-- never written to the audit log or the logs.
SELECT bilet_meta.create_component_role('bilet_organisations');
SELECT bilet_meta.require_idle_transaction_timeout('bilet_organisations');

GRANT USAGE ON SCHEMA bilet_meta TO bilet_organisations;
GRANT SELECT (version, checksum) ON bilet_meta.schema_migrations TO bilet_organisations;

CREATE SCHEMA organisations;
REVOKE ALL ON SCHEMA organisations FROM PUBLIC;
GRANT USAGE ON SCHEMA organisations TO bilet_organisations;

-- One row per organisation. (kind, id) is its bilet:// URI (bilet://school/77-1234). region is the
-- id of the region organisation it belongs to: for a region its own id, for the operator null.
-- inn has 10 digits (a legal entity) or 12 (an individual entrepreneur), ogrn 13 or 15 (ОГРНИП), all
-- with their check digits verified by the
-- registry before they get here.
CREATE TABLE organisations.organisations (
    kind text NOT NULL CHECK (kind IN ('operator', 'region', 'school', 'venue')),
    id text NOT NULL CHECK (id ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(id) <= 32),
    region text CHECK (region ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(region) <= 32),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    address text NOT NULL CHECK (length(address) BETWEEN 1 AND 1000),
    profile text NOT NULL DEFAULT '' CHECK (length(profile) <= 4000),
    inn text NOT NULL CHECK (inn ~ '^([0-9]{10}|[0-9]{12})$'),
    ogrn text NOT NULL CHECK (ogrn ~ '^([0-9]{13}|[0-9]{15})$'),
    agreement_number text NOT NULL CHECK (length(agreement_number) BETWEEN 1 AND 64),
    agreement_signed_on date NOT NULL,
    agreement_signatory text NOT NULL CHECK (length(agreement_signatory) BETWEEN 1 AND 300),
    registered_by text NOT NULL CHECK (registered_by ~ '^[a-z]+:'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (kind, id),
    CHECK ((kind = 'operator') = (region IS NULL)),
    CHECK (kind <> 'region' OR region = id)
);
CREATE INDEX organisations_by_region ON organisations.organisations (region, kind);

GRANT SELECT, INSERT ON organisations.organisations TO bilet_organisations;
GRANT UPDATE (name, address, profile, updated_at) ON organisations.organisations TO bilet_organisations;

-- Appending to the audit log, as every application role does (0400, 0540).
GRANT USAGE ON SCHEMA audit TO bilet_organisations;
GRANT INSERT (kind, payload, catalogue_version, actor, subject, decision, purpose) ON audit.events TO bilet_organisations;
GRANT USAGE ON SEQUENCE audit.events_id_seq TO bilet_organisations;
GRANT EXECUTE ON FUNCTION audit.append(text, integer, text, text, text, text, jsonb, integer) TO bilet_organisations;

-- Writer kinds (catalogue v4 `writers`, audit/catalogue/v4.json; WriterBindingTests keeps them equal).
INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_organisations', 'organisation.changed'),
    ('bilet_organisations', 'policy.decided')
ON CONFLICT DO NOTHING;
