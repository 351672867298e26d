-- 0510 audit writer binding (issue 12, finding M5): every audit record carries the database role
-- that wrote it, set by the database; each role may write only its own event kinds; an oversized
-- record is refused at append.
--
-- * audit.events.written_by: the login role (session_user) of the connection that inserted the
--   row. No role has an INSERT grant on the column, and the BEFORE INSERT trigger below overwrites
--   whatever the row carries, so a writer cannot choose it. session_user, not current_user: it is
--   fixed at authentication, a SET ROLE does not change it, and a SECURITY DEFINER function (whose
--   current_user is its owner) does not change it either. The trigger function itself is
--   SECURITY DEFINER only so it can read the allow-list without granting it to every role.
--   Rows written before this migration get '' ("not recorded"); their Merkle leaves are of format
--   1, which does not commit to a writer. Every later row has a role name and a format-2 leaf,
--   which does (audit/README.md, Formats). A role name is never empty, so '' is unambiguous.
-- * audit.writer_kinds: which event kinds each role may write, one row per (writer, kind). It is
--   the `writers` list of catalogue v3 (audit/catalogue/v3.json), and a test keeps the two equal.
--   Rows are granted exactly for the code paths that append today. A role with no row (the
--   identity role, the modules) can append nothing; a superuser is not held to the list (it could
--   disable the trigger anyway), but its records carry its name.
-- * size caps: a payload above 16 KiB (as PostgreSQL renders it as text) or an attribute (kind,
--   actor, subject, decision, purpose) above 512 bytes is refused with SQLSTATE 54000
--   (program_limit_exceeded), so no single record can make the sequencer's batch unbounded.
--
-- Refusals use fixed messages (no values): 42501 'audit: event kind not allowed for this writer'.

ALTER TABLE audit.events ADD COLUMN written_by name NOT NULL DEFAULT '';
ALTER TABLE audit.events ALTER COLUMN written_by SET DEFAULT session_user;

CREATE TABLE audit.writer_kinds (
    writer name NOT NULL,
    kind text NOT NULL,
    PRIMARY KEY (writer, kind)
);

INSERT INTO audit.writer_kinds (writer, kind) VALUES
    -- Accounts (Sources/Accounts): staff logins, bearer-token refusals, refused client
    -- certificates (aggregated), sessions ended, accounts created or disabled.
    ('bilet_accounts', 'account.changed'),
    ('bilet_accounts', 'auth.failed'),
    ('bilet_accounts', 'auth.succeeded'),
    ('bilet_accounts', 'session.ended'),
    -- Certificate authority (Sources/CertificateAuthority).
    ('bilet_ca', 'certificate.issued'),
    ('bilet_ca', 'certificate.renewed'),
    ('bilet_ca', 'certificate.revoked'),
    -- Gateway: reads of the audit log over HTTP and the CLI, and their policy denials.
    ('bilet_gateway', 'audit.read'),
    ('bilet_gateway', 'policy.decided'),
    -- Policy reload (Sources/BiletCLI/Runtime/AuditedPolicyReload.swift).
    ('bilet_policy', 'policy.reloaded'),
    -- Vault: the one door, consents, erasure, retention, keys, seal and unseal (a failed unseal
    -- passphrase is auth.failed, method vault_unseal).
    ('bilet_vault', 'auth.failed'),
    ('bilet_vault', 'consent.changed'),
    ('bilet_vault', 'consent.scan_downloaded'),
    ('bilet_vault', 'key.rotated'),
    ('bilet_vault', 'legal_hold.changed'),
    ('bilet_vault', 'pii.read'),
    ('bilet_vault', 'pii.searched'),
    ('bilet_vault', 'pii.written'),
    ('bilet_vault', 'policy.decided'),
    ('bilet_vault', 'retention.changed'),
    ('bilet_vault', 'subject.erased'),
    ('bilet_vault', 'token.resolved'),
    ('bilet_vault', 'vault.initialised'),
    ('bilet_vault', 'vault.sealed'),
    ('bilet_vault', 'vault.unsealed');

REVOKE ALL ON audit.writer_kinds FROM PUBLIC;
GRANT SELECT ON audit.writer_kinds TO bilet_audit;

CREATE FUNCTION audit.bind_writer() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NEW.written_by := session_user;
    IF octet_length(NEW.kind) > 512 OR octet_length(NEW.actor) > 512 OR octet_length(NEW.subject) > 512
       OR octet_length(NEW.decision) > 512 OR octet_length(NEW.purpose) > 512 THEN
        RAISE EXCEPTION 'audit: record attribute too large' USING ERRCODE = 'program_limit_exceeded';
    END IF;
    IF NEW.payload IS NOT NULL AND octet_length(CAST(NEW.payload AS text)) > 16384 THEN
        RAISE EXCEPTION 'audit: record payload too large' USING ERRCODE = 'program_limit_exceeded';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit.writer_kinds w WHERE w.writer = session_user AND w.kind = NEW.kind)
       AND NOT coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false) THEN
        RAISE EXCEPTION 'audit: event kind not allowed for this writer' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION audit.bind_writer() FROM PUBLIC;

CREATE TRIGGER events_bind_writer BEFORE INSERT ON audit.events
    FOR EACH ROW EXECUTE FUNCTION audit.bind_writer();
