public import Accounts
import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes

/// A pupil's "who has accessed my data" on the pupils' listener, behind a pupil session
/// (``PupilSessionMiddleware``), through ``PupilAccessDesk`` (policy `pupil.audit.own-accesses`,
/// every read audited):
///
/// - `GET /v1/pupil/me/accesses`: `{"accesses": [{leaf_index, recorded_at, type, decision,
///   purpose, accessor: {kind, role, organisation}, fields, consent}]}`, newest first; `kind` is
///   `pupil`, `staff` (with the role and the organisation), `module` (with the module as `role`)
///   or `platform`. Never a person's name, login or account (a downloaded proof carries the leaf's
///   input, whose actor is an account id: it cannot be verified without it).
/// - `GET /v1/pupil/me/accesses/{leaf}/proof`: the inclusion proof of that access against the
///   newest signed checkpoint, the ``ProofBundle`` JSON of `GET /v1/audit/proofs/inclusion` (check it
///   with `bilet audit verify-proof --proof FILE --key LOG-KEY`); `404 not-found` for a leaf about
///   anyone else, a leaf no checkpoint covers yet and a malformed number alike.
public enum PupilAccessRoutes {
    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, desk: PupilAccessDesk, accounts: PupilAccounts) {
        let own = router.group("/v1/pupil/me/accesses").add(middleware: PupilSessionMiddleware(accounts: accounts))
        own.get { _, context -> Response in
            let accesses = try await desk.accesses(try context.requirePupil())
            return JSONBody.response(.ok, AccessList(accesses: accesses.map(AccessBody.init)))
        }
        own.get(":leaf/proof") { _, context -> Response in
            let session = try context.requirePupil()
            guard let leaf = context.parameters.get("leaf").flatMap({ AuditRoutes.number(Substring($0)) }) else {
                throw AuditError(.notFound, "not a leaf index")
            }
            return JSONBody.response(.ok, jsonText: try await desk.proof(session, leaf: leaf).json)
        }
    }

    struct AccessList: Encodable {
        let accesses: [AccessBody]
    }

    struct AccessBody: Encodable {
        struct Accessor: Encodable {
            let kind: String
            let role: String?
            let organisation: String?
        }
        let leafIndex: UInt64?
        let recordedAt: String
        let type: String
        let decision: String?
        let purpose: String?
        let accessor: Accessor
        let fields: [String]
        let consent: String?

        enum CodingKeys: String, CodingKey {
            case leafIndex = "leaf_index", recordedAt = "recorded_at", type, decision, purpose, accessor, fields, consent
        }

        init(_ access: PupilAccessDesk.Access) {
            leafIndex = access.leafIndex
            recordedAt = AuditTime.format(access.recordedAt)
            type = access.type
            decision = access.decision
            purpose = access.purpose
            fields = access.fields
            consent = access.consent
            accessor =
                switch access.accessor {
                case .pupil: Accessor(kind: "pupil", role: nil, organisation: nil)
                case .staff(let role, let organisation): Accessor(kind: "staff", role: role, organisation: organisation)
                case .module(let module): Accessor(kind: "module", role: module, organisation: nil)
                case .platform: Accessor(kind: "platform", role: nil, organisation: nil)
                }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(leafIndex, forKey: .leafIndex)
            try container.encode(recordedAt, forKey: .recordedAt)
            try container.encode(type, forKey: .type)
            try container.encode(decision, forKey: .decision)
            try container.encode(purpose, forKey: .purpose)
            try container.encode(accessor, forKey: .accessor)
            try container.encode(fields, forKey: .fields)
            try container.encode(consent, forKey: .consent)
        }
    }
}
