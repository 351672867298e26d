-- 0622 pupils' own accounts (issue 10, item 5): the school hands each pupil a one-time activation
-- code bound to the pupil's vault token, school and region; the pupil chooses a login and sets a
-- password (Argon2id) on the pupils' listener, and signs in there (no client certificate).
--
-- Privileges (invariant 3): the gateway's bilet_accounts creates a pupil account only as a pending
-- one with its activation code (the school-side route calls it after the vault door confirmed the
-- pupil is the school's), sets a login and password only on a pending account with its live code
-- (accounts.activate_pupil_account), and keeps pupils' sessions. It never deletes. The vault token
-- is an opaque token, not personal data; no name, no birth date is stored here.
CREATE TABLE accounts.pupil_accounts (
    id text PRIMARY KEY CHECK (id ~ '^usr_[A-Za-z0-9_-]{22}$'),
    pupil text NOT NULL UNIQUE CHECK (pupil ~ '^[a-z]+_[A-Za-z0-9_-]{16,128}$'),
    school text NOT NULL CHECK (school ~ '^bilet://school/[A-Za-z0-9-]{1,32}$'),
    region text NOT NULL CHECK (region ~ '^[A-Za-z0-9-]{1,32}$'),
    login text UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._@-]{0,127}$'),
    password_hash text CHECK (password_hash LIKE '$argon2id$%'),
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    activated_at timestamptz,
    CHECK ((login IS NULL) = (password_hash IS NULL))
);

-- The one live activation code of a pupil account (a new one replaces it).
CREATE TABLE accounts.pupil_activation_codes (
    account_id text PRIMARY KEY REFERENCES accounts.pupil_accounts (id),
    code_hash bytea NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CHECK (expires_at > issued_at)
);

-- Pupils' sessions; as accounts.sessions without a certificate. The token itself is never stored.
CREATE TABLE accounts.pupil_sessions (
    id text PRIMARY KEY CHECK (id ~ '^ses_[A-Za-z0-9_-]{22}$'),
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    account_id text NOT NULL REFERENCES accounts.pupil_accounts (id),
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_seen timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    idle_timeout interval NOT NULL CHECK (idle_timeout > interval '0'),
    ended_at timestamptz,
    end_reason text CHECK (end_reason IN ('logout', 'expired', 'idle-timeout', 'account-disabled')),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX pupil_sessions_live_account ON accounts.pupil_sessions (account_id) WHERE ended_at IS NULL;

GRANT SELECT ON accounts.pupil_accounts TO bilet_accounts;
-- Created pending only: a login and a password come only through accounts.activate_pupil_account.
GRANT INSERT (id, pupil, school, region) ON accounts.pupil_accounts TO bilet_accounts;
GRANT UPDATE (disabled) ON accounts.pupil_accounts TO bilet_accounts;
GRANT SELECT (account_id, issued_at, expires_at, used_at), INSERT ON accounts.pupil_activation_codes TO bilet_accounts;
GRANT UPDATE (code_hash, issued_at, expires_at, used_at) ON accounts.pupil_activation_codes TO bilet_accounts;
GRANT SELECT, INSERT ON accounts.pupil_sessions TO bilet_accounts;
GRANT UPDATE (last_seen, ended_at, end_reason) ON accounts.pupil_sessions TO bilet_accounts;

-- Activates the pending pupil account whose live code hashes to p_code_hash: sets the login the
-- pupil chose and their password, uses the code up. Returns the account id, 'login-taken' when
-- another account has the login, or NULL (nothing changed) when the code does not hold.
CREATE FUNCTION accounts.activate_pupil_account(p_code_hash bytea, p_login text, p_password_hash text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_account text;
BEGIN
    IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
        RETURN NULL;
    END IF;
    SELECT a.id INTO v_account
    FROM accounts.pupil_accounts a JOIN accounts.pupil_activation_codes c ON c.account_id = a.id
    WHERE c.code_hash = p_code_hash AND c.used_at IS NULL AND c.expires_at > clock_timestamp()
      AND a.password_hash IS NULL AND NOT a.disabled
    FOR UPDATE OF a, c;
    IF v_account IS NULL THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT FROM accounts.pupil_accounts WHERE login = p_login) THEN
        RETURN 'login-taken';
    END IF;
    UPDATE accounts.pupil_activation_codes SET used_at = clock_timestamp() WHERE account_id = v_account;
    UPDATE accounts.pupil_accounts SET login = p_login, password_hash = p_password_hash, activated_at = clock_timestamp()
    WHERE id = v_account;
    RETURN v_account;
END
$$;
REVOKE ALL ON FUNCTION accounts.activate_pupil_account(bytea, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts.activate_pupil_account(bytea, text, text) TO bilet_accounts;
