import Accounts
import Audit
import AuditHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

/// "Who has accessed my data" (`GET /app/pupil/accesses`) and an access's inclusion proof
/// (`GET /app/pupil/accesses/{leaf}/proof`, a JSON file to download): what
/// `GET /v1/pupil/me/accesses` and `GET /v1/pupil/me/accesses/{leaf}/proof` answer, through the
/// same ``PupilAccessDesk`` (policy `pupil.audit.own-accesses`, every read audited). The proof is
/// the compliance officers' ``ProofBundle``; `bilet audit verify-proof --proof FILE --key LOG-KEY`
/// checks it with the log's public key only.
extension PupilPages {
    static func addAccesses(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        pages.get("accesses") { _, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                let rows = try await dependencies.accesses.accesses(pupil).map { access in
                    let (who, organisation): (String, String) =
                        switch access.accessor {
                        case .pupil: ("вы сами", "—")
                        case .staff(let role, let organisation): (RussianFormat.role(role), PupilAccessesPage.organisation(organisation))
                        case .module(let name): (PupilAccessesPage.module(name), "платформа")
                        case .platform: ("система платформы", "платформа")
                        }
                    return PupilAccessesPage.Row(
                        date: PupilAccessesPage.date(access.recordedAt), who: who, organisation: organisation,
                        action: PupilAccessesPage.action(type: access.type, decision: access.decision),
                        purpose: PupilAccessesPage.purpose(access.purpose), fields: access.fields.isEmpty ? "—" : access.fields.joined(separator: ", "),
                        consent: access.consent ?? "не требовалось", leaf: access.leafIndex.map(String.init))
                }
                return try kit.pupilPage(.pupilAccesses, pupil: pupil, values: ["accesses": rows, "hasAccesses": !rows.isEmpty])
            }
        }
        pages.get("accesses/:leaf/proof") { _, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                guard let text = context.parameters.get("leaf"), let leaf = UInt64(text), leaf <= UInt64(Int64.max) else {
                    throw AuditError(.notFound, "not a leaf index")
                }
                let proof = try await dependencies.accesses.proof(pupil, leaf: leaf)
                var buffer = ByteBuffer()
                buffer.writeString(proof.json + "\n")
                return Response(
                    status: .ok,
                    headers: [
                        .contentType: "application/json", .cacheControl: "no-store",
                        .contentDisposition: "attachment; filename=\"bilet-proof-\(leaf).json\"",
                    ],
                    body: .init(byteBuffer: buffer))
            }
        }
    }
}
