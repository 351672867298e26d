-- 0820 the vault writes only the relationship facts it decides itself (modules attack review #2).
--
-- 0690 gave bilet_vault INSERT and UPDATE (expired_at) on policy.relationships for any kind. The
-- vault records four kinds, each after a decision of its own:
--   assigned_navigator (pupil → user)    a school's assignment, after the policy's `assign`;
--   enrolment_pending  (pupil → event)   the vault issued the pupil's trials token for `create
--                                         enrolment` in the event (policy-checked);
--   enrolled_in        (pupil → event)   a seat taken by a pupil with a live enrolment_pending;
--   run_by             (event → user)    a live mentor account of the venue the event is bound to.
-- Row level security on policy.relationships holds bilet_vault to those kinds: it may insert a fact
-- of one of them and set expired_at on one of them, nothing else. Every role keeps reading every
-- fact (the policy engine's relationships), and bilet_policy keeps what 0010 gave it. The owner
-- (the migrating administrator) is not subject to row security.
--
-- vault.trial_event_venues binds an event to the venue that first named its mentor through the
-- vault (the first `runBy`); the vault refuses another venue's `runBy` for that event. The binding
-- is never changed: bilet_vault may INSERT and SELECT it, not UPDATE or DELETE it.

ALTER TABLE policy.relationships ENABLE ROW LEVEL SECURITY;

CREATE POLICY relationships_read ON policy.relationships FOR SELECT USING (true);
CREATE POLICY relationships_policy_insert ON policy.relationships FOR INSERT TO bilet_policy WITH CHECK (true);
CREATE POLICY relationships_policy_expire ON policy.relationships FOR UPDATE TO bilet_policy USING (true) WITH CHECK (true);
CREATE POLICY relationships_vault_insert ON policy.relationships FOR INSERT TO bilet_vault
    WITH CHECK (kind IN ('assigned_navigator', 'enrolment_pending', 'enrolled_in', 'run_by'));
CREATE POLICY relationships_vault_expire ON policy.relationships FOR UPDATE TO bilet_vault
    USING (kind IN ('assigned_navigator', 'enrolment_pending', 'enrolled_in', 'run_by'))
    WITH CHECK (kind IN ('assigned_navigator', 'enrolment_pending', 'enrolled_in', 'run_by'));

CREATE TABLE vault.trial_event_venues (
    event text PRIMARY KEY CHECK (event ~ '^[1-9][0-9]{0,18}$'),
    venue text NOT NULL CHECK (venue ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$' AND length(venue) <= 32),
    bound_by text NOT NULL,
    bound_at timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT ON vault.trial_event_venues TO bilet_vault;
