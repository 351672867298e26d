-- 0530 process credentials and trust domains
--
-- Serving processes never migrate: each checks at start, with its own role, that every migration is
-- applied, so every component role may read the migration bookkeeping (versions and checksums only).
--
-- The gateway process holds no sequencer role: the compliance officers' audit API reads through a new
-- read-only role, bilet_auditor, instead of bilet_audit (which may insert leaves and checkpoints). The
-- gateway's CRL subscriber reads the published CRLs as bilet_gateway instead of holding bilet_ca.
-- Creating a component role after 0001 is a function in bilet_meta (owner only), so later roles
-- (0540) are made by one call the same way: created once per cluster (another database may be
-- creating it at the same moment), and refused if it exists with more power than a component needs.
CREATE FUNCTION bilet_meta.create_component_role(role_name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', role_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created at the same moment by a migration in another database
        END;
    END IF;
    IF EXISTS (
        SELECT FROM pg_catalog.pg_roles
        WHERE rolname = role_name AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls)
    ) THEN
        RAISE EXCEPTION '% has superuser, createrole, createdb, replication or bypassrls', role_name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
END
$$;
REVOKE ALL ON FUNCTION bilet_meta.create_component_role(text) FROM PUBLIC;

SELECT bilet_meta.create_component_role('bilet_auditor');

GRANT USAGE ON SCHEMA bilet_meta TO bilet_vault, bilet_audit, bilet_policy, bilet_identity, bilet_ca, bilet_gateway,
    bilet_assessment, bilet_trials, bilet_recommendations, bilet_accounts, bilet_auditor;
GRANT SELECT (version, checksum) ON bilet_meta.schema_migrations TO bilet_vault, bilet_audit, bilet_policy,
    bilet_identity, bilet_ca, bilet_gateway, bilet_assessment, bilet_trials, bilet_recommendations, bilet_accounts,
    bilet_auditor;

GRANT USAGE ON SCHEMA audit TO bilet_auditor;
GRANT SELECT ON audit.events, audit.leaves, audit.tree_nodes, audit.checkpoints, audit.checkpoint_cosignatures,
    audit.retention_terms, audit.destruction_register TO bilet_auditor;

GRANT USAGE ON SCHEMA ca TO bilet_gateway;
GRANT SELECT ON ca.revocation_lists TO bilet_gateway;
