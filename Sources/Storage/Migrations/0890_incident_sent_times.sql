-- 0890 incident sent times: the database's clock, once. 0860 lets bilet_gateway UPDATE the two
-- sent times and updated_at, and its own statement writes clock_timestamp(), but the grant alone
-- would let a compromised gateway backdate a notice (first_notice_sent_at = '2000-01-01') or take
-- one back. This trigger makes the register keep the promise of docs/INCIDENTS.md whatever the
-- statement says: a sent time goes from empty to the database's clock, once; it never changes or
-- empties afterwards; updated_at is always the database's clock.
CREATE FUNCTION incidents.stamp_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    IF NEW.first_notice_sent_at IS DISTINCT FROM OLD.first_notice_sent_at THEN
        IF OLD.first_notice_sent_at IS NOT NULL THEN
            RAISE EXCEPTION 'an incident''s first notice time is never changed once recorded' USING ERRCODE = 'check_violation';
        END IF;
        NEW.first_notice_sent_at := clock_timestamp();
    END IF;
    IF NEW.results_sent_at IS DISTINCT FROM OLD.results_sent_at THEN
        IF OLD.results_sent_at IS NOT NULL THEN
            RAISE EXCEPTION 'an incident''s results notice time is never changed once recorded' USING ERRCODE = 'check_violation';
        END IF;
        NEW.results_sent_at := clock_timestamp();
    END IF;
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION incidents.stamp_change() FROM PUBLIC;

CREATE TRIGGER incidents_stamp_change BEFORE UPDATE ON incidents.incidents
    FOR EACH ROW EXECUTE FUNCTION incidents.stamp_change();
