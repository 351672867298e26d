-- 0621 staff accounts over HTTP (issue 10, item 2): an organisation's administrator creates,
-- disables and re-enables its own staff accounts through the gateway; a new account is pending
-- (no password) until its holder activates it with a one-time activation code (stored only as a
-- SHA-256 hash, expiring, single use) and sets their own password; each staff member records their
-- electronic consent to the processing of their own personal data (versioned). The operator is an
-- organisation of its own kind (bilet://operator/<id>).
--
-- Privileges (invariant 3, and 0540's finding M-1 kept): the gateway's bilet_accounts still has no
-- INSERT on accounts.accounts and no UPDATE of password_hash or disabled. It acts only through the
-- SECURITY DEFINER functions below, which refuse what a compromised gateway would want most:
-- * they create and disable only accounts of organisation staff roles (regional_coordinator,
--   school, venue, navigator, mentor), never an operator, compliance officer, security admin or
--   methodologist (those stay `bilet accounts` on the administrator's bilet_account_admin);
-- * a password is set only on a pending account (no password yet), only with an unexpired unused
--   activation code of that account, and only from a workstation of the account's organisation:
--   no function changes the password of an activated account, so no account can be taken over.
-- bilet_accounts writes account.changed again (catalogue v4) and the new staff.consent_recorded,
-- and policy.decided for the refusals of the staff routes.
ALTER TABLE accounts.accounts ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE accounts.accounts DROP CONSTRAINT accounts_organisation_check;
ALTER TABLE accounts.accounts ADD CONSTRAINT accounts_organisation_check
    CHECK (organisation ~ '^bilet://(school|venue|region|operator)/[A-Za-z0-9-]{1,32}$');

-- The one live activation code of a pending account (re-issuing replaces it: the old one dies).
CREATE TABLE accounts.activation_codes (
    account_id text PRIMARY KEY REFERENCES accounts.accounts (id),
    code_hash bytea NOT NULL UNIQUE CHECK (length(code_hash) = 32),
    issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CHECK (expires_at > issued_at)
);

-- Each staff member's electronic consent to the processing of their own personal data, by version
-- of the consent text.
CREATE TABLE accounts.staff_consents (
    account_id text NOT NULL REFERENCES accounts.accounts (id),
    version text NOT NULL CHECK (version ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (account_id, version)
);

GRANT SELECT, INSERT ON accounts.staff_consents TO bilet_accounts;
GRANT SELECT (account_id, issued_at, expires_at, used_at) ON accounts.activation_codes TO bilet_accounts;
GRANT SELECT ON accounts.staff_consents, accounts.activation_codes TO bilet_account_admin;

CREATE FUNCTION accounts.staff_role_is_delegable(p_role text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_role IN ('regional_coordinator', 'school', 'venue', 'navigator', 'mentor')
$$;

-- A pending account (no password). False when the login is taken.
CREATE FUNCTION accounts.create_pending_account(
    p_id text, p_login text, p_role text, p_organisation text, p_region text
) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT accounts.staff_role_is_delegable(p_role) THEN
        RAISE EXCEPTION 'permission denied: role % is created by the administrator only', p_role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO accounts.accounts (id, login, role, organisation, region, password_hash)
    VALUES (p_id, p_login, p_role, p_organisation, p_region, NULL)
    ON CONFLICT (login) DO NOTHING;
    RETURN FOUND;
END
$$;

-- A new activation code of a pending account, replacing any earlier one; returns its expiry, or
-- NULL when the account is not pending (activated already) or not a delegable role.
CREATE FUNCTION accounts.issue_activation_code(p_account text, p_code_hash bytea, p_lifetime_seconds double precision)
RETURNS timestamptz
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_expires timestamptz := clock_timestamp() + make_interval(secs => p_lifetime_seconds);
BEGIN
    PERFORM 1 FROM accounts.accounts
    WHERE id = p_account AND password_hash IS NULL AND accounts.staff_role_is_delegable(role) FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO accounts.activation_codes (account_id, code_hash, issued_at, expires_at)
    VALUES (p_account, p_code_hash, clock_timestamp(), v_expires)
    ON CONFLICT (account_id) DO UPDATE
        SET code_hash = excluded.code_hash, issued_at = excluded.issued_at, expires_at = excluded.expires_at, used_at = NULL;
    RETURN v_expires;
END
$$;

-- Activates the pending account whose login is p_login with its live code, from a workstation of
-- its organisation: sets the password, uses the code up. Returns the account id, or NULL (nothing
-- changed) when any of it does not hold.
CREATE FUNCTION accounts.activate_account(p_login text, p_code_hash bytea, p_organisation text, p_password_hash text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_account text;
BEGIN
    IF p_password_hash IS NULL OR p_password_hash NOT LIKE '$argon2id$%' THEN
        RETURN NULL;
    END IF;
    SELECT a.id INTO v_account
    FROM accounts.accounts a JOIN accounts.activation_codes c ON c.account_id = a.id
    WHERE a.login = p_login AND a.organisation = p_organisation AND a.password_hash IS NULL AND NOT a.disabled
      AND c.code_hash = p_code_hash AND c.used_at IS NULL AND c.expires_at > clock_timestamp()
    FOR UPDATE OF a, c;
    IF v_account IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE accounts.activation_codes SET used_at = clock_timestamp() WHERE account_id = v_account;
    UPDATE accounts.accounts SET password_hash = p_password_hash, failed_attempts = 0, locked_until = NULL WHERE id = v_account;
    RETURN v_account;
END
$$;

-- Disables or re-enables a delegable account; returns whether it did.
CREATE FUNCTION accounts.set_account_disabled(p_account text, p_disabled boolean) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE accounts.accounts SET disabled = p_disabled WHERE id = p_account AND accounts.staff_role_is_delegable(role);
    RETURN FOUND;
END
$$;

REVOKE ALL ON FUNCTION accounts.staff_role_is_delegable(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.create_pending_account(text, text, text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.issue_activation_code(text, bytea, double precision) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.activate_account(text, bytea, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION accounts.set_account_disabled(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION accounts.staff_role_is_delegable(text) TO bilet_accounts;
GRANT EXECUTE ON FUNCTION accounts.create_pending_account(text, text, text, text, text) TO bilet_accounts;
GRANT EXECUTE ON FUNCTION accounts.issue_activation_code(text, bytea, double precision) TO bilet_accounts;
GRANT EXECUTE ON FUNCTION accounts.activate_account(text, bytea, text, text) TO bilet_accounts;
GRANT EXECUTE ON FUNCTION accounts.set_account_disabled(text, boolean) TO bilet_accounts;

INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_accounts', 'account.changed'),
    ('bilet_accounts', 'staff.consent_recorded'),
    ('bilet_accounts', 'policy.decided')
ON CONFLICT DO NOTHING;
