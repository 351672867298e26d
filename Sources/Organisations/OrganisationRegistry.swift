public import Audit
import Foundation
public import Identity
public import PostgreSQL

/// The organisation registry: the operator, regions, schools and venues, each with its profile,
/// its place in the hierarchy and its data-processing agreement, on the registry's own role
/// (`bilet_organisations`, migration 0620).
///
/// It enforces the hierarchy (the operator registers regions; a region's coordinator registers
/// schools and venues in its own region, which must be registered) and audits every change
/// (`organisation.changed`) in the same transaction as the change: if the record cannot be
/// written, nothing changes. Whether a staff member may act at all is the policy engine's
/// decision, taken by the caller before (OrganisationsHTTP); the caller records denials with
/// ``recordDenial(_:)``.
public struct OrganisationRegistry: Sendable {
    private let pool: PostgresConnectionPool
    private let log: AuditLog

    /// A registry on `pool` (role `bilet_organisations`).
    public init(pool: PostgresConnectionPool, log: AuditLog = AuditLog()) {
        self.pool = pool
        self.log = log
    }

    /// Registers `registration` for `registrar`, recording the agreement; `policyVersion` is the
    /// policy set that permitted it (for the audit record).
    ///
    /// - Throws: the ``OrganisationRegistration/validated()`` errors,
    ///   ``OrganisationsError/Code/forbidden`` when the hierarchy does not let `registrar` register
    ///   it, ``OrganisationsError/Code/unknownRegion``, ``OrganisationsError/Code/alreadyRegistered``,
    ///   ``OrganisationsError/Code/auditUnavailable``, ``OrganisationsError/Code/storage``.
    public func register(
        _ registration: OrganisationRegistration, by registrar: Registrar, policyVersion: String?
    ) async throws(OrganisationsError) -> OrganisationRecord {
        try registration.validated()
        guard registrar.mayRegister(registration.organisation.kind, in: registration.region) else {
            throw OrganisationsError(.forbidden, "the registrar's place in the hierarchy does not allow this registration")
        }
        let organisation = registration.organisation
        let kind = organisation.kind.rawValue
        let id = organisation.id.value
        let log = self.log
        do {
            return try await pool.withTransaction { connection in
                if organisation.kind != .region {
                    let region = try await connection.query(
                        "SELECT 1 FROM organisations.organisations WHERE kind = 'region' AND id = \(registration.region)")
                    guard !region.isEmpty else { throw OrganisationsError(.unknownRegion, "the region is not registered") }
                }
                let agreement = registration.agreement
                let rows = try await connection.query(
                    """
                    INSERT INTO organisations.organisations
                        (kind, id, region, name, address, inn, ogrn, agreement_number, agreement_signed_on, agreement_signatory,
                         registered_by)
                    VALUES (\(kind), \(id), \(registration.region), \(registration.name), \(registration.address),
                            \(registration.inn), \(registration.ogrn), \(agreement.number), CAST(\(agreement.signedOn) AS date),
                            \(agreement.signatory), \(registrar.actor))
                    ON CONFLICT (kind, id) DO NOTHING
                    RETURNING kind, id, region, name, address, profile, inn, ogrn, agreement_number,
                        to_char(agreement_signed_on, 'YYYY-MM-DD'), agreement_signatory, created_at, updated_at
                    """)
                guard let row = rows.first else {
                    throw OrganisationsError(.alreadyRegistered, "an organisation of this kind and id is registered")
                }
                let record = try Self.record(row)
                try await Self.append(
                    OrganisationChanged(
                        actor: registrar.actor, organisation: record.uri, change: .registered, kind: kind,
                        region: "bilet://region/\(registration.region)",
                        fields: ["name", "address", "inn", "ogrn", "agreement"], policyVersion: policyVersion),
                    log, on: connection)
                return record
            }
        } catch {
            throw Self.map(error, "registering the organisation")
        }
    }

    /// Updates `organisation`'s own profile (name, address, profile text) for `registrar`.
    ///
    /// - Throws: ``OrganisationsError/Code/invalidArgument``, ``OrganisationsError/Code/notFound``,
    ///   ``OrganisationsError/Code/auditUnavailable``, ``OrganisationsError/Code/storage``.
    public func updateProfile(
        _ organisation: Organisation, name: String, address: String, profile: String, by registrar: Registrar,
        policyVersion: String?
    ) async throws(OrganisationsError) -> OrganisationRecord {
        try OrganisationRegistration.text(name, "name", 500)
        try OrganisationRegistration.text(address, "address", 1000)
        guard profile.count <= 4000 else { throw OrganisationsError(.invalidArgument, "profile must have at most 4000 characters") }
        let log = self.log
        do {
            return try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    UPDATE organisations.organisations SET name = \(name), address = \(address), profile = \(profile),
                        updated_at = clock_timestamp()
                    WHERE kind = \(organisation.kind.rawValue) AND id = \(organisation.id.value)
                    RETURNING kind, id, region, name, address, profile, inn, ogrn, agreement_number,
                        to_char(agreement_signed_on, 'YYYY-MM-DD'), agreement_signatory, created_at, updated_at
                    """)
                guard let row = rows.first else { throw OrganisationsError(.notFound, "no organisation has this kind and id") }
                let record = try Self.record(row)
                try await Self.append(
                    OrganisationChanged(
                        actor: registrar.actor, organisation: record.uri, change: .profileUpdated, kind: organisation.kind.rawValue,
                        region: record.region.map { "bilet://region/\($0)" }, fields: ["name", "address", "profile"],
                        policyVersion: policyVersion),
                    log, on: connection)
                return record
            }
        } catch {
            throw Self.map(error, "updating the profile")
        }
    }

    /// The organisation of this kind and id, if registered.
    ///
    /// - Throws: ``OrganisationsError/Code/storage``.
    public func find(_ organisation: Organisation) async throws(OrganisationsError) -> OrganisationRecord? {
        do {
            return try await pool.query(
                """
                SELECT kind, id, region, name, address, profile, inn, ogrn, agreement_number,
                        to_char(agreement_signed_on, 'YYYY-MM-DD'), agreement_signatory, created_at, updated_at FROM organisations.organisations
                WHERE kind = \(organisation.kind.rawValue) AND id = \(organisation.id.value)
                """
            ).first.map(Self.record)
        } catch {
            throw Self.map(error, "reading the organisation")
        }
    }

    /// The organisations of `kind` (any when nil) in `region` (any when nil), by kind and id; at
    /// most `limit`.
    ///
    /// - Throws: ``OrganisationsError/Code/storage``.
    public func list(kind: OrganisationKind?, region: String?, limit: Int = 1000) async throws(OrganisationsError) -> [OrganisationRecord] {
        do {
            return try await pool.query(
                """
                SELECT kind, id, region, name, address, profile, inn, ogrn, agreement_number,
                        to_char(agreement_signed_on, 'YYYY-MM-DD'), agreement_signatory, created_at, updated_at FROM organisations.organisations
                WHERE (\(kind?.rawValue) IS NULL OR kind = \(kind?.rawValue)) AND (\(region) IS NULL OR region = \(region))
                ORDER BY kind, id LIMIT \(limit)
                """
            ).map(Self.record)
        } catch {
            throw Self.map(error, "listing organisations")
        }
    }

    /// Records a refusal the caller answers (`policy.decided`, decision `deny`, purpose
    /// `administration`), in a transaction of its own.
    ///
    /// - Throws: ``OrganisationsError/Code/auditUnavailable``.
    public func recordDenial(_ denial: PolicyDecided) async throws(OrganisationsError) {
        do {
            try await log.append(denial, using: pool)
        } catch {
            throw OrganisationsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
        }
    }

    private static func append(_ event: some TypedAuditEvent, _ log: AuditLog, on connection: PostgresConnection) async throws(OrganisationsError) {
        do {
            try await log.append(event, on: connection)
        } catch {
            throw OrganisationsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
        }
    }

    private static func map(_ error: any Error, _ what: String) -> OrganisationsError {
        if let error = error as? OrganisationsError { return error }
        return OrganisationsError(.storage, "\(what) failed")
    }

    static func record(_ row: Row) throws -> OrganisationRecord {
        guard let kind = OrganisationKind(rawValue: try row.decode(String.self, at: 0)),
              let id = OrganisationID(try row.decode(String.self, at: 1))
        else { throw OrganisationsError(.storage, "a stored organisation does not match the schema") }
        return OrganisationRecord(
            organisation: Organisation(kind: kind, id: id), region: try row.decode(String?.self, at: 2),
            name: try row.decode(String.self, at: 3), address: try row.decode(String.self, at: 4),
            profile: try row.decode(String.self, at: 5), inn: try row.decode(String.self, at: 6), ogrn: try row.decode(String.self, at: 7),
            agreement: DataProcessingAgreement(
                number: try row.decode(String.self, at: 8), signedOn: try row.decode(String.self, at: 9),
                signatory: try row.decode(String.self, at: 10)),
            createdAt: try row.decode(Date.self, at: 11), updatedAt: try row.decode(Date.self, at: 12))
    }
}
