-- 0002 component schemas
--
-- One schema per component, owned by the migrating administrator (so no component can alter or
-- drop its own tables), closed to PUBLIC. Each component role gets USAGE on its own schema only;
-- the module roles (assessment, trials, recommendations) never get USAGE on vault, so they cannot
-- reach personal data whatever table grants exist (invariant 3).
--
-- The audit schema is also open (USAGE) to the application roles, which may only append to the
-- audit tables (grants in 0004). The gateway has no schema of its own.
CREATE SCHEMA vault;
CREATE SCHEMA audit;
CREATE SCHEMA policy;
CREATE SCHEMA identity;
CREATE SCHEMA ca;
CREATE SCHEMA assessment;
CREATE SCHEMA trials;
CREATE SCHEMA recommendations;

REVOKE ALL ON SCHEMA vault, audit, policy, identity, ca, assessment, trials, recommendations FROM PUBLIC;

GRANT USAGE ON SCHEMA vault TO bilet_vault;
GRANT USAGE ON SCHEMA audit TO bilet_audit;
GRANT USAGE ON SCHEMA policy TO bilet_policy;
GRANT USAGE ON SCHEMA identity TO bilet_identity;
GRANT USAGE ON SCHEMA ca TO bilet_ca;
GRANT USAGE ON SCHEMA assessment TO bilet_assessment;
GRANT USAGE ON SCHEMA trials TO bilet_trials;
GRANT USAGE ON SCHEMA recommendations TO bilet_recommendations;

-- Application roles append audit records.
GRANT USAGE ON SCHEMA audit TO bilet_vault, bilet_identity, bilet_ca, bilet_policy, bilet_gateway;
