-- 0690 navigator assignment, the modules' door and erasure that reaches every module (issue #11,
-- item 5). Runs before the modules' own migrations (0700-0719), which CREATE OR REPLACE the
-- erase_pupil functions made here for the stub tables of 0201.
--
-- * Navigator assignment: the vault process records a school's assignment of its navigator to its
--   pupil as an `assigned_navigator` fact in policy.relationships (0010), in the same transaction
--   as the policy decision and the audit record, and ends it by setting expired_at. bilet_vault
--   may therefore INSERT facts and change expired_at only (never delete or rewrite one), like
--   bilet_policy. To check that the navigator is a navigator account of the assigning school, the
--   vault reads the identifiers of staff accounts (id, role, organisation, region, disabled): no
--   login, no password hash, no lockout state.
-- * Erasure: each module schema has <schema>.erase_pupil(p_token text) RETURNS TABLE (item text,
--   removed bigint): it deletes every row of the pupil's pairwise token in that schema and says
--   how many rows of each item it removed. SECURITY DEFINER (owned by the migrating administrator)
--   with a fixed search_path; only bilet_vault may execute it. The vault calls it inside the
--   erasure's transaction for each module token of the pupil, then deletes the token from
--   vault.module_tokens; a failure rolls the whole erasure back. The function takes only the
--   module's own token: the prefix check refuses anything else before a row is touched.
-- * Writer kinds: navigator.assignment and module.erased (catalogue v4, area Modules' door),
--   written by the vault only.

GRANT INSERT ON policy.relationships TO bilet_vault;
GRANT UPDATE (expired_at) ON policy.relationships TO bilet_vault;
GRANT USAGE ON SEQUENCE policy.relationships_id_seq TO bilet_vault;

GRANT USAGE ON SCHEMA accounts TO bilet_vault;
GRANT SELECT (id, role, organisation, region, disabled) ON accounts.accounts TO bilet_vault;

CREATE OR REPLACE FUNCTION assessment.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, assessment AS $$
DECLARE
    n bigint;
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'asm\_%' THEN
        RAISE EXCEPTION 'not an assessment token' USING ERRCODE = '22023';
    END IF;
    DELETE FROM assessment.results WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT;
    item := 'results'; removed := n; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION assessment.erase_pupil(text) FROM PUBLIC;
GRANT USAGE ON SCHEMA assessment TO bilet_vault;
GRANT EXECUTE ON FUNCTION assessment.erase_pupil(text) TO bilet_vault;

CREATE OR REPLACE FUNCTION trials.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, trials AS $$
DECLARE
    n bigint;
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'trl\_%' THEN
        RAISE EXCEPTION 'not a trials token' USING ERRCODE = '22023';
    END IF;
    DELETE FROM trials.attendance WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT;
    item := 'attendance'; removed := n; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION trials.erase_pupil(text) FROM PUBLIC;
GRANT USAGE ON SCHEMA trials TO bilet_vault;
GRANT EXECUTE ON FUNCTION trials.erase_pupil(text) TO bilet_vault;

CREATE OR REPLACE FUNCTION recommendations.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, recommendations AS $$
DECLARE
    n bigint;
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'rec\_%' THEN
        RAISE EXCEPTION 'not a recommendations token' USING ERRCODE = '22023';
    END IF;
    DELETE FROM recommendations.items WHERE pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT;
    item := 'items'; removed := n; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION recommendations.erase_pupil(text) FROM PUBLIC;
GRANT USAGE ON SCHEMA recommendations TO bilet_vault;
GRANT EXECUTE ON FUNCTION recommendations.erase_pupil(text) TO bilet_vault;

INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_vault', 'navigator.assignment'),
    ('bilet_vault', 'module.erased')
ON CONFLICT DO NOTHING;
