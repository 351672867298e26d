-- 0301 certificate authority: the inventory records the CA certificates too (issue 7). `bilet certs
-- init` records the root (profile root) and the issuing CA (profile intermediate) of each hierarchy,
-- so `bilet certs list` shows every certificate of the PKI with its validity and status, not only
-- the leaves. Their identity is ca:root/<hierarchy> or ca:intermediate/<hierarchy>; they have no
-- organisation. A CA certificate is never listed in a CRL of its own hierarchy (it is replaced, not
-- revoked by the CA it certifies), which the CA code enforces.
--
-- 0300 stays as applied; this widens its profile check. Privileges are unchanged (bilet_ca inserts).

ALTER TABLE ca.certificates DROP CONSTRAINT certificates_profile_check;
ALTER TABLE ca.certificates ADD CONSTRAINT certificates_profile_check
    CHECK (profile IN ('workstation', 'service', 'server', 'root', 'intermediate'));
ALTER TABLE ca.certificates ADD CONSTRAINT certificates_ca_identity_check
    CHECK ((profile IN ('root', 'intermediate')) = (identity LIKE 'ca:%'));
