-- 0300 certificate authority: the inventory of every certificate the platform CA issued, and the
-- CRLs it published (issue 7; design in certs/README.md).
--
-- Privileges (invariant 3): only the CA role (bilet_ca) touches these tables. It inserts
-- certificates and may change nothing of a recorded certificate but its revocation (status,
-- revoked_at, revocation_reason); it never deletes. CRLs are appended, never changed. The gateway
-- process reads published CRLs through its own bilet_ca pool (it hosts the renewal route), so the
-- gateway role gets nothing here.

-- One row per issued certificate. serial is the lowercase hexadecimal of the unsigned serial
-- number without leading zero bytes (128 random bits). identity is the SAN URI of client
-- certificates (bilet://school/77-1234/ws/3, bilet://service/assessment) or dns:/ip: of the first
-- name of a server certificate; organisation is kind/id (school/77-1234) for device certificates.
CREATE TABLE ca.certificates (
    serial text PRIMARY KEY CHECK (serial ~ '^[0-9a-f]{2,40}$'),
    hierarchy text NOT NULL CHECK (hierarchy IN ('ecdsa', 'gost')),
    profile text NOT NULL CHECK (profile IN ('workstation', 'service', 'server')),
    organisation text CHECK (organisation ~ '^(school|venue|region)/[A-Za-z0-9-]{1,32}$'),
    identity text NOT NULL CHECK (length(identity) BETWEEN 3 AND 256),
    key_type text NOT NULL CHECK (key_type IN ('ecdsa-p256', 'gost256', 'ed25519')),
    not_before timestamptz NOT NULL,
    not_after timestamptz NOT NULL CHECK (not_after > not_before),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    revoked_at timestamptz,
    revocation_reason text,
    renewed_from text REFERENCES ca.certificates (serial),
    issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    issued_by text NOT NULL,
    certificate bytea NOT NULL,
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CHECK ((status = 'revoked') = (revocation_reason IS NOT NULL)),
    CHECK ((profile = 'workstation') = (organisation IS NOT NULL))
);
CREATE INDEX certificates_organisation ON ca.certificates (organisation, status);
CREATE INDEX certificates_identity ON ca.certificates (identity, not_after);
CREATE INDEX certificates_not_after ON ca.certificates (not_after) WHERE status = 'active';
CREATE INDEX certificates_revoked ON ca.certificates (hierarchy, revoked_at) WHERE status = 'revoked';

-- Published CRLs, one row per CRL; numbers come from one sequence, so they increase per issuer
-- (RFC 5280 §5.2.3) and the newest CRL of a hierarchy is the one with the highest number.
CREATE SEQUENCE ca.crl_number AS bigint START WITH 2;  -- 1 is the empty CRL written by `bilet certs init`
CREATE TABLE ca.revocation_lists (
    crl_number bigint PRIMARY KEY CHECK (crl_number >= 1),
    hierarchy text NOT NULL CHECK (hierarchy IN ('ecdsa', 'gost')),
    this_update timestamptz NOT NULL,
    next_update timestamptz NOT NULL CHECK (next_update > this_update),
    revoked_count integer NOT NULL CHECK (revoked_count >= 0),
    pem text NOT NULL,
    published_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX revocation_lists_hierarchy ON ca.revocation_lists (hierarchy, crl_number DESC);

GRANT SELECT, INSERT ON ca.certificates TO bilet_ca;
GRANT UPDATE (status, revoked_at, revocation_reason) ON ca.certificates TO bilet_ca;
GRANT SELECT, INSERT ON ca.revocation_lists TO bilet_ca;
GRANT USAGE ON SEQUENCE ca.crl_number TO bilet_ca;
