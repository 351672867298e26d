-- 0730 recommendations: individual career recommendations (issue 11, item 3), replacing the stub
-- recommendations.items of 0201.
--
-- The engine (Sources/Recommendations) ranks spheres, competencies, upcoming approved events and
-- the regions' opportunities from a pupil's footprint and trial signals; every recommendation
-- keeps the signals that led to it as data (reasons, JSON) and a text for the pupil. A navigator
-- reviews, edits the text and publishes; the pupil reads only published ones. Pupils are known
-- here only by their recommendations token (rec_…): no name, birth date, SNILS or vault token
-- (invariant 2). school and region are registry codes, aggregation keys for the KPI.
--
-- Privileges (invariant 3): bilet_recommendations (held by the gateway process) reads and writes
-- these tables only; the gateway appends the audit records as bilet_gateway. The vault erases a
-- pupil's rows through recommendations.erase_pupil (SECURITY DEFINER, EXECUTE for bilet_vault
-- only; 0690 gave bilet_vault USAGE on the schema).
DROP TABLE recommendations.items;

-- An opportunity a region's coordinator uploads: a programme, a competition, an open day.
CREATE TABLE recommendations.opportunities (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region text NOT NULL CHECK (region ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(region) <= 32),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    sphere text NOT NULL CHECK (sphere ~ '^[a-z0-9_]{1,64}$'),
    competencies text[] NOT NULL DEFAULT '{}' CHECK (cardinality(competencies) <= 64),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    link text NOT NULL CHECK (length(link) <= 2008 AND link ~ '^https://[^[:space:]]+$'),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT opportunities_window CHECK (starts_at <= ends_at)
);
CREATE INDEX opportunities_region ON recommendations.opportunities (region, ends_at);

-- One recommendation for a pupil. kind: sphere, competency, event (trials event id), opportunity
-- (opportunities id); subject is the code or id. status: draft → published; a new generation
-- replaces the pupil's drafts and keeps the published ones.
CREATE TABLE recommendations.items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pupil_token text NOT NULL CHECK (pupil_token ~ '^rec_[A-Za-z0-9_-]{16,64}$'),
    kind text NOT NULL CHECK (kind IN ('sphere', 'competency', 'event', 'opportunity')),
    subject text NOT NULL CHECK (subject ~ '^[a-z0-9_]{1,64}$'),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    score integer NOT NULL CHECK (score BETWEEN 0 AND 100000),
    rank integer NOT NULL CHECK (rank BETWEEN 1 AND 1000),
    reasons jsonb NOT NULL CHECK (jsonb_typeof(reasons) = 'array'),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    school text CHECK (school ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(school) <= 32),
    region text CHECK (region ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(region) <= 32),
    generated_by text NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now(),
    edited_by text,
    edited_at timestamptz,
    published_by text,
    published_at timestamptz,
    CONSTRAINT items_published CHECK ((status = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX items_pupil ON recommendations.items (pupil_token, status, rank);
CREATE INDEX items_published_kpi ON recommendations.items (region, school, published_at, pupil_token) WHERE status = 'published';

GRANT SELECT, INSERT ON recommendations.opportunities TO bilet_recommendations;
GRANT SELECT, INSERT, DELETE ON recommendations.items TO bilet_recommendations;
GRANT UPDATE (text, status, edited_by, edited_at, published_by, published_at) ON recommendations.items TO bilet_recommendations;

-- Erasure: every recommendation of the token, one row with the count removed. Opportunities name
-- no pupil.
CREATE OR REPLACE FUNCTION recommendations.erase_pupil(p_token text) RETURNS TABLE (item text, removed bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, recommendations AS $$
DECLARE
    n bigint;
BEGIN
    IF p_token IS NULL OR p_token NOT LIKE 'rec\_%' THEN
        RAISE EXCEPTION 'not a recommendations token' USING ERRCODE = '22023';
    END IF;
    DELETE FROM recommendations.items i WHERE i.pupil_token = p_token;
    GET DIAGNOSTICS n = ROW_COUNT;
    item := 'items'; removed := n; RETURN NEXT;
END;
$$;
REVOKE ALL ON FUNCTION recommendations.erase_pupil(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION recommendations.erase_pupil(text) TO bilet_vault;
