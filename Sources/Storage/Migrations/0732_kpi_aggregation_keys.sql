-- 0732 KPI aggregation keys (issue 11, KPI): modules know pupils only by token, so the KPI counts
-- a module's rows by the organisation codes recorded on them where the route knows them.
--
-- * assessment.results: the pupil's school and region (the pupils' listener knows the session's
--   school when a result is submitted). NULL for rows written before, or by code that does not
--   know them; such rows count in no school's and no region's figures.
-- * trials.enrolments: the enrolling navigator's school (a trial's venue and region are on
--   trials.events already).
-- * recommendations.items carries school and region from 0730 (filled when generated).
--
-- Registry codes only, never a pupil's identity (invariant 2). The module roles already INSERT
-- into these tables; they may also set the key on a row of their own afterwards.
ALTER TABLE assessment.results
    ADD COLUMN school text CHECK (school ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(school) <= 32),
    ADD COLUMN region text CHECK (region ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(region) <= 32);
CREATE INDEX results_kpi ON assessment.results (region, school, completed_at);
GRANT UPDATE (school, region) ON assessment.results TO bilet_assessment;

ALTER TABLE trials.enrolments
    ADD COLUMN school text CHECK (school ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(school) <= 32);
GRANT UPDATE (school) ON trials.enrolments TO bilet_trials;
CREATE INDEX enrolments_kpi ON trials.enrolments (school, event_id, pupil_token) WHERE school IS NOT NULL;

CREATE INDEX attendance_kpi ON trials.attendance (event_id) WHERE attended;

-- The KPI's own indexes (the figures of one school or venue read only its rows).
CREATE INDEX subjects_kpi ON vault.subjects (region, organisation, created_at) WHERE kind = 'pupil';
CREATE INDEX consents_kpi ON vault.consents (subject_id, recorded_at) WHERE version = 1;
