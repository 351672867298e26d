-- 0520 vault access requests: the register of subject-access requests (152-FZ art. 14; review
-- finding L11). A read for purpose parent_request must cite an open request registered here for
-- the subject read; the vault checks it in the read's transaction and names it in the audit record.
--
-- One row per request: the pupil it is about, the day it was received, who asked (by kind only, no
-- personal data), the reference reads cite (a random sar_ token minted by the vault), open or
-- answered, and the legal deadline (ten working days after receipt, computed by the vault; public
-- holidays are ignored, which can only make it earlier). bilet_vault may SELECT, INSERT and UPDATE
-- (to mark a request answered), never DELETE: the register is the record of what was asked.

CREATE TABLE vault.access_requests (
    id uuid PRIMARY KEY,
    reference text NOT NULL UNIQUE,
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    received_on date NOT NULL,
    requester_kind text NOT NULL CHECK (requester_kind IN ('guardian')),
    status text NOT NULL CHECK (status IN ('open', 'answered')),
    legal_deadline date NOT NULL CHECK (legal_deadline > received_on),
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    answered_at timestamptz,
    answered_by text,
    CHECK ((status = 'answered') = (answered_at IS NOT NULL)),
    CHECK ((answered_at IS NULL) = (answered_by IS NULL))
);
CREATE INDEX access_requests_subject ON vault.access_requests (subject_id, created_at);

GRANT SELECT, INSERT, UPDATE ON vault.access_requests TO bilet_vault;
