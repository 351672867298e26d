-- 0540 account administration role; policy reloads recorded by the reloading process's own role
-- (issue 12, red-team finding M-1: the gateway held administrator write access it never used).
--
-- * bilet_account_admin: the administrator's `bilet accounts add|disable` (AccountStore). It alone
--   may create staff accounts and change their password or disabled flag, and it ends a disabled
--   account's sessions. It reads no session token hash, deletes nothing, and appends only
--   account.changed and session.ended. No serving process holds it.
-- * bilet_accounts (held by the gateway) keeps what signing in and sessions need: it reads
--   accounts and changes only their lockout state (failed_attempts, locked_until); it opens
--   sessions and changes only their last use and end. Its INSERT on accounts.accounts and UPDATE
--   of password_hash and disabled (0400) are revoked, and so is its account.changed writer row:
--   a compromised gateway can neither create a compliance officer nor take an account over.
-- * policy.reloaded is written by the process that reloaded, as its own role: bilet_gateway or
--   bilet_vault (so written_by, 0510, tells them apart). Neither process holds bilet_policy any
--   more, which may insert relationship facts; bilet_policy's writer row goes, as no code path
--   appends with it.
--
-- The role is created with 0530's function and gets the 30 s idle-in-transaction bound through
-- 0511's.
SELECT bilet_meta.create_component_role('bilet_account_admin');
SELECT bilet_meta.require_idle_transaction_timeout('bilet_account_admin');

-- Like every component role (0530): the migration bookkeeping, versions and checksums only.
GRANT USAGE ON SCHEMA bilet_meta TO bilet_account_admin;
GRANT SELECT (version, checksum) ON bilet_meta.schema_migrations TO bilet_account_admin;

-- Account administration: create, list, disable; end the disabled account's sessions (reading
-- only the columns that needs, never token_hash).
GRANT USAGE ON SCHEMA accounts TO bilet_account_admin;
GRANT SELECT, INSERT ON accounts.accounts TO bilet_account_admin;
GRANT UPDATE (password_hash, disabled) ON accounts.accounts TO bilet_account_admin;
GRANT SELECT (id, account_id, certificate_serial, ended_at) ON accounts.sessions TO bilet_account_admin;
GRANT UPDATE (ended_at, end_reason) ON accounts.sessions TO bilet_account_admin;

-- Appending to the audit log, exactly as bilet_accounts does (0400).
GRANT USAGE ON SCHEMA audit TO bilet_account_admin;
GRANT INSERT (kind, payload, catalogue_version, actor, subject, decision, purpose) ON audit.events TO bilet_account_admin;
GRANT USAGE ON SEQUENCE audit.events_id_seq TO bilet_account_admin;
GRANT EXECUTE ON FUNCTION audit.append(text, integer, text, text, text, text, jsonb, integer) TO bilet_account_admin;

-- The gateway's accounts role: signing in and sessions only.
REVOKE INSERT ON accounts.accounts FROM bilet_accounts;
REVOKE UPDATE (password_hash, disabled) ON accounts.accounts FROM bilet_accounts;

-- Writer kinds (catalogue v3 `writers`, audit/catalogue/v3.json; a test keeps the two equal).
DELETE FROM audit.writer_kinds WHERE (writer, kind) IN (
    ('bilet_accounts', 'account.changed'),
    ('bilet_policy', 'policy.reloaded'));
INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_account_admin', 'account.changed'),
    ('bilet_account_admin', 'session.ended'),
    ('bilet_gateway', 'policy.reloaded'),
    ('bilet_vault', 'policy.reloaded');
