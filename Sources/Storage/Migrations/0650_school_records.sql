-- 0650 school records (issue #10 items 3, 4 and 6): PNG scans, transfers between schools, pupils'
-- own subject-access requests, and the audit kinds the vault writes for them.
--
-- * A paper consent registered with its form's number (vault.consents.paper_reference, 0600) has no
--   vault.consent_documents row until the school uploads the scan (PUT …/scan); nothing to add here.
-- * vault.consent_documents.media_type also takes image/png (the scan's type is checked from its
--   bytes by the vault before it is sealed).
-- * vault.transfers: a school hands a pupil over to another school. The receiving school accepts;
--   then the pupil's (and the pupil's guardians') school and region change in vault.subjects, and
--   the sending school's reads fail like an unknown token's. No personal data: tokens, school ids,
--   states, times and actors (identifiers).
--
-- Privileges (invariant 3): bilet_vault only; transfers are never deleted (SELECT, INSERT, UPDATE).
-- Writer kinds: the catalogue v4 entries of the school-records area (AuditCatalogue+SchoolRecords),
-- written by the vault only; WriterBindingTests keeps the database equal to the catalogue.

ALTER TABLE vault.consent_documents DROP CONSTRAINT consent_documents_media_type_check;
ALTER TABLE vault.consent_documents
    ADD CONSTRAINT consent_documents_media_type_check CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png'));

CREATE TABLE vault.transfers (
    id uuid PRIMARY KEY,
    reference text NOT NULL UNIQUE,
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    from_school text NOT NULL,
    from_region text NOT NULL,
    to_school text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'accepted')),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    accepted_by text,
    accepted_at timestamptz,
    CHECK (from_school <> to_school),
    CHECK ((status = 'accepted') = (accepted_at IS NOT NULL AND accepted_by IS NOT NULL))
);
-- At most one pending transfer per pupil.
CREATE UNIQUE INDEX transfers_one_pending ON vault.transfers (subject_id) WHERE status = 'pending';
CREATE INDEX transfers_incoming ON vault.transfers (to_school, requested_at) WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE ON vault.transfers TO bilet_vault;

INSERT INTO audit.writer_kinds (writer, kind) VALUES
    ('bilet_vault', 'consent.scan_uploaded'),
    ('bilet_vault', 'pupil.transferred'),
    ('bilet_vault', 'pupils.imported')
ON CONFLICT DO NOTHING;

-- A subject-access request may come from the pupil personally as well as from a guardian.
ALTER TABLE vault.access_requests DROP CONSTRAINT access_requests_requester_kind_check;
ALTER TABLE vault.access_requests
    ADD CONSTRAINT access_requests_requester_kind_check CHECK (requester_kind IN ('guardian', 'pupil'));
