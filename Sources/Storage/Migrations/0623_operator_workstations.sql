-- 0623 the operator's workstations (issue 10): the operator is an organisation of its own kind
-- (bilet://operator/<id>), and its staff (the operator's, compliance officers' and security
-- admins' accounts) sign in on workstation certificates of it, as `bilet certs dev-setup` issues
-- in development (bilet://operator/op-1/ws/1). 0300 recorded device certificates of schools,
-- venues and regions only; this lets the inventory record the operator's as well. Nothing else
-- changes: no grant, no new table.
ALTER TABLE ca.certificates DROP CONSTRAINT certificates_organisation_check;
ALTER TABLE ca.certificates ADD CONSTRAINT certificates_organisation_check
    CHECK (organisation ~ '^(school|venue|region|operator)/[A-Za-z0-9-]{1,32}$');
