-- 0840 the vault bounds event windows itself (modules attack review 2, #1).
--
-- The run_by and enrolled_in facts end with the event (the mentor's rule reads names until 7 days
-- after), and the vault took the window on the gateway's and the trials module's word: a
-- bilet_trials UPDATE of trials.events.ends_at (or a gateway bug) stretched a mentor's access for
-- years. The 31-day bound of an event (EventDetails.maximumDuration) existed in Swift only.
--
-- * trials.events: CHECK (ends_at - starts_at <= 31 days). Added NOT VALID, then validated: an
--   existing row over the bound (none can come from the application, which always refused it)
--   fails this migration loudly instead of being changed silently.
-- * vault.trial_event_venues keeps the window the vault last accepted for the event (its runBy,
--   at most 31 days, refused and audited otherwise). Every enrolled_in fact the vault records
--   (a seat, a promotion after an erasure) ends at the latest at that stored end; an event with
--   no stored window gets no seat fact (refused, audited). bilet_vault may UPDATE only the window.
ALTER TABLE trials.events ADD CONSTRAINT events_at_most_31_days CHECK (ends_at - starts_at <= interval '31 days') NOT VALID;
ALTER TABLE trials.events VALIDATE CONSTRAINT events_at_most_31_days;

ALTER TABLE vault.trial_event_venues
    ADD COLUMN starts_at timestamptz,
    ADD COLUMN ends_at timestamptz,
    ADD CONSTRAINT trial_event_venues_window CHECK (
        (starts_at IS NULL AND ends_at IS NULL)
        OR (starts_at < ends_at AND ends_at - starts_at <= interval '31 days'));
GRANT UPDATE (starts_at, ends_at) ON vault.trial_event_venues TO bilet_vault;
