-- 0842 a relationship fact is only ever expired, never revived or extended (modules attack review 2, #5).
--
-- 0690/0820 let bilet_vault (and bilet_policy) set expired_at on a fact of its kinds, to any value:
-- expired_at = NULL revived an ended fact (a navigator assignment #18 ended, a seat released), a
-- later time pushed an expiry back. A trigger now holds the application roles to ending facts:
-- * expired_at may not become NULL once set, nor be set to NULL (a revival): refused, 42501;
-- * an expired_at already set may only move earlier: a later one is refused, 42501;
-- * a fact is never expired later than now: a time in the future (a vault clock ahead of the
--   database's) is clamped to now, which only ends access sooner; refusing it would leave the
--   fact live, the unsafe side.
-- Only bilet_vault and bilet_policy may update the table (0010, 0690, 0820); the owner (the
-- migrating administrator) is not held, as it is not by row level security.
CREATE FUNCTION policy.relationships_expire_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF current_user NOT IN ('bilet_vault', 'bilet_policy') THEN
        RETURN NEW;
    END IF;
    IF NEW.expired_at IS NULL THEN
        IF OLD.expired_at IS NULL THEN
            RETURN NEW; -- nothing about the expiry changes
        END IF;
        RAISE EXCEPTION 'a fact is only ever expired, never revived' USING ERRCODE = '42501';
    END IF;
    IF OLD.expired_at IS NOT NULL AND NEW.expired_at > OLD.expired_at THEN
        RAISE EXCEPTION 'a fact''s expiry only ever moves earlier' USING ERRCODE = '42501';
    END IF;
    IF NEW.expired_at > statement_timestamp() THEN
        NEW.expired_at := statement_timestamp();
    END IF;
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION policy.relationships_expire_only() FROM PUBLIC;
CREATE TRIGGER relationships_expire_only BEFORE UPDATE ON policy.relationships
    FOR EACH ROW EXECUTE FUNCTION policy.relationships_expire_only();
