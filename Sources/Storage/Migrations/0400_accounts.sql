-- 0400 accounts: staff accounts (Argon2id password) and their sessions, each bound to the
-- workstation certificate it was opened with (ARCHITECTURE.md, Identities: two factors).
--
-- Privileges (invariant 3): only the accounts role (bilet_accounts) touches this schema. It
-- creates accounts and may change only their password, disabled flag and lockout state; it opens
-- sessions and may change only their last use and their end. It never deletes. Like the other
-- application roles it appends to the audit log (every login attempt is audited in the same
-- transaction as the attempt itself), and can read nothing back from it.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bilet_accounts') THEN
        BEGIN
            CREATE ROLE bilet_accounts LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created at the same moment by a migration in another database
        END;
    END IF;
    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = 'bilet_accounts'
          AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)
    ) THEN
        RAISE EXCEPTION 'bilet_accounts has superuser, createrole, createdb, replication or bypassrls'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;

CREATE SCHEMA accounts;
REVOKE ALL ON SCHEMA accounts FROM PUBLIC;
GRANT USAGE ON SCHEMA accounts TO bilet_accounts;

-- One row per staff account. id is random (usr_ + 22 base64url characters) and is what policy
-- and audit see (user:usr_…); login is what the person types, lowercase, stored only here.
-- organisation is the bilet:// URI of the organisation whose workstation certificates the account
-- may sign in on. password_hash is the Argon2id encoded form ($argon2id$v=19$…).
CREATE TABLE accounts.accounts (
    id text PRIMARY KEY CHECK (id ~ '^usr_[A-Za-z0-9_-]{22}$'),
    login text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{0,127}$'),
    role text NOT NULL CHECK (role IN (
        'operator', 'regional_coordinator', 'school', 'venue', 'navigator', 'mentor', 'methodologist',
        'compliance_officer', 'security_admin')),
    organisation text NOT NULL CHECK (organisation ~ '^bilet://(school|venue|region)/[A-Za-z0-9-]{1,32}$'),
    region text CHECK (region ~ '^[A-Za-z0-9-]{1,32}$'),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled boolean NOT NULL DEFAULT false,
    failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- One row per session. The bearer token itself is never stored: token_hash is its SHA-256.
-- certificate_serial (lowercase hex, no leading zero bytes) and principal are those of the
-- workstation certificate the session was opened with; requests must present the same one.
-- A session is live while ended_at is null, now < expires_at (absolute) and
-- now < last_seen + idle_timeout.
CREATE TABLE accounts.sessions (
    id text PRIMARY KEY CHECK (id ~ '^ses_[A-Za-z0-9_-]{22}$'),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    account_id text NOT NULL REFERENCES accounts.accounts (id),
    certificate_serial text NOT NULL CHECK (certificate_serial ~ '^[0-9a-f]{2,40}$'),
    principal text NOT NULL CHECK (principal ~ '^bilet://'),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_seen timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    idle_timeout interval NOT NULL CHECK (idle_timeout > interval '0'),
    ended_at timestamptz,
    end_reason text CHECK (end_reason IN (
        'logout', 'expired', 'idle-timeout', 'certificate-revoked', 'account-disabled')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX sessions_live_serial ON accounts.sessions (certificate_serial) WHERE ended_at IS NULL;
CREATE INDEX sessions_live_account ON accounts.sessions (account_id) WHERE ended_at IS NULL;

GRANT SELECT, INSERT ON accounts.accounts TO bilet_accounts;
GRANT UPDATE (password_hash, disabled, failed_attempts, locked_until) ON accounts.accounts TO bilet_accounts;
GRANT SELECT, INSERT ON accounts.sessions TO bilet_accounts;
GRANT UPDATE (last_seen, ended_at, end_reason) ON accounts.sessions TO bilet_accounts;

-- Appending to the audit log, exactly as the other application roles (0002, 0004, 0100).
GRANT USAGE ON SCHEMA audit TO bilet_accounts;
GRANT INSERT (kind, payload, catalogue_version, actor, subject, decision, purpose) ON audit.events TO bilet_accounts;
GRANT USAGE ON SEQUENCE audit.events_id_seq TO bilet_accounts;
GRANT EXECUTE ON FUNCTION audit.append(text, integer, text, text, text, text, jsonb, integer) TO bilet_accounts;
