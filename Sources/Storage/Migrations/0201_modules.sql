-- 0201 modules: the minimal stores of the assessment, trials and recommendations modules
--
-- Each table is keyed by the module's own pairwise token (asm_…, trl_…, rec_…), a random token
-- the vault issues per pupil and module; there is no subject id, name or vault token here, so
-- two modules' tables cannot be joined without the vault (invariant 2). Each module role gets
-- only its own tables (invariant 3).
CREATE TABLE assessment.results (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'asm\_%'),
    test_code text NOT NULL,
    score integer NOT NULL CHECK (score >= 0),
    completed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX results_pupil ON assessment.results (pupil_token);
GRANT SELECT, INSERT ON assessment.results TO bilet_assessment;
GRANT USAGE ON SEQUENCE assessment.results_id_seq TO bilet_assessment;

CREATE TABLE trials.attendance (
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'trl\_%'),
    event_code text NOT NULL,
    attended boolean NOT NULL,
    grade integer CHECK (grade BETWEEN 1 AND 5),
    marked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_code, pupil_token)
);
GRANT SELECT, INSERT, UPDATE ON trials.attendance TO bilet_trials;

CREATE TABLE recommendations.items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pupil_token text NOT NULL CHECK (pupil_token LIKE 'rec\_%'),
    spheres text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_pupil ON recommendations.items (pupil_token);
GRANT SELECT, INSERT ON recommendations.items TO bilet_recommendations;
GRANT USAGE ON SEQUENCE recommendations.items_id_seq TO bilet_recommendations;
