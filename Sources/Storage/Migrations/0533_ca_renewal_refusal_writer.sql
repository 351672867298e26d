-- 0533 CA renewal-refusal writer (issue 12, finding L8)
--
-- A refused certificate renewal (csr-identity-mismatch, already-renewed, hierarchy-mismatch …) is
-- audited by the CA process as `auth.failed` (method certificate_renewal, the refusal code as
-- reason, the presented certificate's serial; the renewing principal is the actor). The per-role
-- allow-list of audit kinds (0510) gains that one pair for `bilet_ca`, and nothing else; catalogue
-- v3 names `bilet_ca` among the writers of `auth.failed`, and a test keeps the two equal.
INSERT INTO audit.writer_kinds (writer, kind) VALUES ('bilet_ca', 'auth.failed')
ON CONFLICT DO NOTHING;
