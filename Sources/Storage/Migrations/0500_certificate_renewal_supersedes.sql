-- 0500 certificate authority: a certificate is renewed at most once, and the database assigns CRL
-- numbers (issue 12, findings H2 and M2 of security-review-1).
--
-- 1. renewed_from is UNIQUE: the first renewal of a certificate is the only one. A second renewal
--    (a thief racing the owner with another key) fails on this constraint even when two requests
--    pass the CA's own check at once. The CA revokes the renewed certificate as `superseded` once
--    the overlap (ca.renewal_overlap_seconds) has passed, and revoking a certificate revokes its
--    live successors. A database that already holds two renewals of one certificate (possible
--    before this migration) must have the extra ones revoked and their renewed_from cleared by the
--    owner before it migrates; this migration then refuses to run rather than hide them.
-- 2. crl_number is no longer chosen by the inserter: it defaults to the value the inserting
--    session just drew from ca.crl_number (nextval, which the CA signs into the CRL before storing
--    it), and bilet_ca loses INSERT on that column. A holder of bilet_ca (a leaked credential, a
--    compromised process that holds it) can no longer store a replayed CRL under a number above the
--    CA's future ones (2^63-1), so later publications stay the newest; the gateways' CRL subscriber
--    and the gateways also refuse a CRL whose signed number differs from its row or is not above
--    the one in force.

ALTER TABLE ca.certificates ADD CONSTRAINT certificates_renewed_once UNIQUE (renewed_from);

ALTER TABLE ca.revocation_lists ALTER COLUMN crl_number SET DEFAULT currval('ca.crl_number');
REVOKE INSERT ON ca.revocation_lists FROM bilet_ca;
GRANT INSERT (hierarchy, this_update, next_update, revoked_count, pem) ON ca.revocation_lists TO bilet_ca;
