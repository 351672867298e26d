-- 0200 vault: key hierarchy, encrypted fields, tokens, blind indexes, consents, erasure
--
-- Design in ARCHITECTURE.md ("Key hierarchy") and Sources/Vault. Nothing here holds plaintext
-- personal data: field values, consent scans and where a paper original is kept are AEAD
-- ciphertexts under the subject's data key; lookups go through keyed blind indexes; tokens are
-- random. Columns in clear are registry codes the policy decides on (school, region), states,
-- dates and field names.
--
-- Privileges (invariant 3): only bilet_vault reads or writes these tables, and never TRUNCATEs.
-- The destruction register is append-only (INSERT, SELECT). Module roles get nothing here and
-- have no USAGE on the schema anyway (0002).

-- The seal: how the master key is obtained (Argon2id from a passphrase with this salt and these
-- parameters, or a key file) and a check tag (HMAC of a constant under a key derived from the
-- master key), so a wrong secret is refused clearly. One row.
CREATE TABLE vault.seal (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    method text NOT NULL CHECK (method IN ('passphrase', 'key_file')),
    salt bytea,
    argon2_iterations integer,
    argon2_memory_kib integer,
    argon2_parallelism integer,
    check_tag bytea NOT NULL CHECK (length(check_tag) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((method = 'passphrase') = (salt IS NOT NULL AND argon2_iterations IS NOT NULL
        AND argon2_memory_kib IS NOT NULL AND argon2_parallelism IS NOT NULL))
);

-- Key-encryption keys, versioned, wrapped by the master-derived wrapping key. Exactly one is
-- current (new data keys are wrapped by it); 'previous' ones still wrap some data keys while a
-- rotation runs; a retired one wraps nothing and its wrapped bytes are destroyed.
CREATE TABLE vault.keks (
    version integer PRIMARY KEY CHECK (version >= 1),
    wrapped bytea,
    state text NOT NULL CHECK (state IN ('current', 'previous', 'retired')),
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz,
    CHECK ((state = 'retired') = (wrapped IS NULL))
);
CREATE UNIQUE INDEX keks_one_current ON vault.keks (state) WHERE state = 'current';

-- Key rotations: progress of the background re-wrap, resumable (the rows' kek_version is the
-- state; this table reports it).
CREATE TABLE vault.rotations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_version integer NOT NULL,
    to_version integer NOT NULL UNIQUE,
    started_at timestamptz NOT NULL DEFAULT now(),
    started_by text NOT NULL,
    total_keys bigint NOT NULL,
    rewrapped_keys bigint NOT NULL DEFAULT 0,
    last_rewrap_at timestamptz,
    finished_at timestamptz
);

-- Subjects: the registry entry of a pupil, guardian or staff member. The wrapped data key goes
-- (NULL) when the subject is erased; the row and its tokens stay so they answer "erased".
ALTER TABLE vault.subjects
    ADD COLUMN kind text NOT NULL CHECK (kind IN ('pupil', 'guardian', 'staff')),
    ADD COLUMN token text NOT NULL UNIQUE,
    ADD COLUMN organisation_type text CHECK (organisation_type IN ('school', 'venue', 'organisation')),
    ADD COLUMN organisation text,
    ADD COLUMN region text,
    ADD COLUMN user_ref text,
    ADD COLUMN pupil_id uuid REFERENCES vault.subjects (id),
    ADD COLUMN data_key bytea,
    ADD COLUMN data_key_version integer NOT NULL DEFAULT 1 CHECK (data_key_version >= 1),
    ADD COLUMN kek_version integer,
    ADD COLUMN created_by text NOT NULL,
    ADD COLUMN erased_at timestamptz,
    ADD COLUMN retention_until date,
    ADD COLUMN legal_hold boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT subjects_key_or_erased
        CHECK ((erased_at IS NULL) = (data_key IS NOT NULL AND kek_version IS NOT NULL));
CREATE INDEX subjects_kek_version ON vault.subjects (kek_version) WHERE data_key IS NOT NULL;
CREATE INDEX subjects_retention ON vault.subjects (retention_until) WHERE erased_at IS NULL;
CREATE INDEX subjects_pupil ON vault.subjects (pupil_id) WHERE pupil_id IS NOT NULL;

-- Field values, sealed under the subject's data key; the associated data binds subject, field
-- and data-key version.
CREATE TABLE vault.fields (
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    name text NOT NULL,
    ciphertext bytea NOT NULL,
    data_key_version integer NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject_id, name)
);

-- Pairwise tokens: a different random token per (subject, module).
CREATE TABLE vault.module_tokens (
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    module text NOT NULL CHECK (module IN ('assessment', 'trials', 'recommendations')),
    token text NOT NULL UNIQUE,
    PRIMARY KEY (subject_id, module)
);

-- Blind indexes: HMAC-SHA-256 under the blind-index key of a normalised value, for exact lookups
-- and duplicate detection. Deleted on erasure.
CREATE TABLE vault.blind_indexes (
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    kind text NOT NULL CHECK (kind IN ('snils', 'name_birth_date')),
    digest bytea NOT NULL CHECK (length(digest) = 32),
    PRIMARY KEY (subject_id, kind)
);
CREATE INDEX blind_indexes_lookup ON vault.blind_indexes (kind, digest);
-- One live subject per SNILS: a concurrent second registration fails on this index.
CREATE UNIQUE INDEX blind_indexes_one_snils ON vault.blind_indexes (digest) WHERE kind = 'snils';

-- Consents (152-FZ art. 9), one purpose each, versioned: amending writes version n + 1 and marks
-- version n superseded. For a minor the legal representative (a guardian subject) signs, with the
-- kind of document proving authority; from 14 the pupil's own consent is recorded as well.
CREATE TABLE vault.consents (
    id uuid PRIMARY KEY,
    token text NOT NULL UNIQUE,
    series uuid NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    representative_id uuid REFERENCES vault.subjects (id),
    given_by text NOT NULL CHECK (given_by IN ('parent', 'guardian', 'self')),
    subject_also_consented boolean NOT NULL DEFAULT false,
    authority_document text
        CHECK (authority_document IN ('birth_certificate', 'guardianship_decision', 'adoption_decision', 'power_of_attorney')),
    operator text NOT NULL,
    purpose text NOT NULL,
    data_fields text[] NOT NULL CHECK (cardinality(data_fields) > 0),
    actions text[] NOT NULL CHECK (cardinality(actions) > 0),
    health_data boolean NOT NULL DEFAULT false,
    valid_from timestamptz NOT NULL,
    valid_until timestamptz,
    withdrawal_method text NOT NULL,
    signed_on date NOT NULL,
    collection text NOT NULL CHECK (collection IN ('paper', 'electronic')),
    state text NOT NULL CHECK (state IN ('active', 'expired', 'withdrawn', 'superseded')),
    state_changed_at timestamptz,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by text NOT NULL,
    withdrawn_by text,
    UNIQUE (series, version),
    CHECK ((given_by = 'self') = (representative_id IS NULL)),
    CHECK (representative_id IS NULL OR authority_document IS NOT NULL),
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX consents_subject_purpose ON vault.consents (subject_id, purpose, state);
CREATE INDEX consents_expiring ON vault.consents (valid_until) WHERE state = 'active';

-- Scans of signed paper consents (PDF or JPEG), sealed under the subject's data key together with
-- where the original is kept; SHA-256 of the scan as uploaded.
CREATE TABLE vault.consent_documents (
    id uuid PRIMARY KEY,
    consent_id uuid NOT NULL REFERENCES vault.consents (id),
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    media_type text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg')),
    byte_count integer NOT NULL CHECK (byte_count > 0),
    sha256 bytea NOT NULL CHECK (length(sha256) = 32),
    content bytea NOT NULL,
    original_location bytea NOT NULL,
    data_key_version integer NOT NULL,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_documents_consent ON vault.consent_documents (consent_id);

-- What must be destroyed, and by when: 30 days after a withdrawal left data without a basis
-- (152-FZ art. 21 part 5), or at the end of retention. Completed entries keep completed_at.
CREATE TABLE vault.destruction_deadlines (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_id uuid NOT NULL REFERENCES vault.subjects (id),
    consent_id uuid REFERENCES vault.consents (id),
    scope text NOT NULL CHECK (scope IN ('subject', 'fields')),
    fields text[] NOT NULL,
    reason text NOT NULL,
    due_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    -- destroyed, or cancelled when a new consent covered the data again before the deadline.
    outcome text CHECK (outcome IN ('destroyed', 'cancelled_new_consent', 'erased_with_subject')),
    CHECK ((completed_at IS NULL) = (outcome IS NULL))
);
CREATE INDEX destruction_deadlines_due ON vault.destruction_deadlines (due_at) WHERE completed_at IS NULL;

-- The destruction register: what was destroyed, whose (token), which categories, how, why,
-- when and at whose request. Append-only.
CREATE TABLE vault.destruction_register (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_token text NOT NULL,
    subject_kind text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('subject', 'fields')),
    categories text[] NOT NULL,
    method text NOT NULL CHECK (method IN ('crypto_shredding', 'ciphertext_deletion')),
    reason text NOT NULL,
    requested_by text NOT NULL,
    destroyed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

GRANT SELECT, INSERT, UPDATE ON vault.seal, vault.keks, vault.rotations TO bilet_vault;
GRANT SELECT, INSERT, UPDATE ON vault.consents, vault.destruction_deadlines TO bilet_vault;
GRANT SELECT, INSERT, UPDATE, DELETE
    ON vault.fields, vault.module_tokens, vault.blind_indexes, vault.consent_documents TO bilet_vault;
GRANT SELECT, INSERT ON vault.destruction_register TO bilet_vault;
GRANT USAGE ON SEQUENCE vault.rotations_id_seq, vault.destruction_deadlines_id_seq,
    vault.destruction_register_id_seq TO bilet_vault;
