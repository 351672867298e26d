import Audit
import CertificateAuthority
import CertificatesHTTP
import Foundation
import Gateway
import GnuTLS
import HTTPTypes
import LocalSocket

/// The security administrator's inventory and revocations across the gateway/CA boundary (the
/// requests of ``RenewalForwarding``'s socket): the gateway has asked the policy and forwards the
/// staff member as the actor; the CA process lists (auditing `certificate.listed`) or revokes
/// (auditing `certificate.revoked`, publishing the CRL) with ``CertificateAuthority``.
enum CertificateInventoryForwarding {
    /// The most certificates one listing answers (the socket's answer stays well under its limit).
    static let maximumListed = 5_000

    /// Whether `actor` names a staff member's account (`user:usr_…`), as the gateway forwards one
    /// after the policy permitted it: never a `system:` actor, so a forwarded revocation cannot pass
    /// for the CA's own supersession of renewed certificates in the log.
    static func isStaffActor(_ actor: String) -> Bool {
        actor.hasPrefix("user:usr_") && AuditPatterns.isIdentifier(actor)
    }

    static let notStaff = RenewalForwarding.Response.refused(status: 403, code: "forbidden", title: "Only a staff member's request is forwarded.")

    /// Lists in the CA process: the audit record first (nothing is shown when it cannot be written).
    static func list(_ query: CertificateInventoryRoutes.Query, authority: CertificateAuthority) async -> RenewalForwarding.Response {
        guard isStaffActor(query.actor) else { return notStaff }
        let state = query.state.flatMap(CertificateRecord.State.init(rawValue:))
        guard query.state == nil || state != nil, query.expiringWithinDays.map({ (1...CertificateInventoryRoutes.maximumDays).contains($0) }) ?? true
        else { return .refused(status: 400, code: "invalid-query", title: "Not an inventory query.") }
        let records: [CertificateRecord]
        do throws(CertificateAuthorityError) {
            if let serial = query.serial {
                // one certificate by its serial (a CA's own certificate is not in the inventory)
                records = try await authority.certificate(serial: serial).map { $0.profile.isCertificateAuthority ? [] : [$0] } ?? []
            } else {
                records = Array(
                    try await authority.certificates(matching: InventoryFilter(state: state, expiringWithinDays: query.expiringWithinDays))
                        .prefix(maximumListed))
            }
        } catch {
            return .refused(status: error.httpStatus, code: error.code.rawValue, title: error.title)
        }
        do {
            try await authority.audit.append(
                CertificatesListed(actor: query.actor, count: records.count, expiringWithinDays: query.expiringWithinDays, state: query.state),
                using: authority.pool)
        } catch {
            return .refused(status: 503, code: "audit-unavailable", title: "The audit record could not be written; nothing was shown.")
        }
        let now = Date(timeIntervalSince1970: TimeInterval(authority.clock()))
        return .certificates(records.map { certificate($0, now: now) })
    }

    /// Revokes in the CA process.
    /// The gateway's checks are repeated here (a staff actor, a reason of
    /// ``CertificateInventoryRoutes/reasons``): the CA does not take a wider request on the socket
    /// than the API accepts.
    static func revoke(serial: String, reason: String, actor: String, authority: CertificateAuthority) async -> RenewalForwarding.Response {
        guard isStaffActor(actor) else { return notStaff }
        guard CertificateInventoryRoutes.reasons.contains(reason), let code = RevocationReason(name: reason), code != .removeFromCRL else {
            return .refused(status: 422, code: "invalid-reason", title: "The reason is not one of the revocation reasons accepted.")
        }
        do throws(CertificateAuthorityError) {
            let revocation = try await authority.revoke(serial: serial, reason: code, actor: actor)
            let now = Date(timeIntervalSince1970: TimeInterval(authority.clock()))
            return .revoked(
                CertificateInventoryRoutes.Revocation(
                    certificate: certificate(revocation.record, now: now), successors: revocation.successors.map { certificate($0, now: now) }))
        } catch {
            // the renewal's statuses are about the presented certificate (403); here the serial is
            // the request's own subject: unknown 404, already revoked 409
            let status =
                switch error.code {
                case .certificateUnknown: 404
                case .alreadyRevoked: 409
                default: error.httpStatus
                }
            return .refused(status: status, code: error.code.rawValue, title: error.title)
        }
    }

    /// A record as the API answers it.
    static func certificate(_ record: CertificateRecord, now: Date) -> CertificateInventoryRoutes.Certificate {
        CertificateInventoryRoutes.Certificate(
            serial: record.serial, hierarchy: record.hierarchy.rawValue, profile: record.profile.rawValue, organisation: record.organisation,
            identity: record.identity, keyType: record.keyType.rawValue, notBefore: record.notBefore, notAfter: record.notAfter,
            state: record.state(at: now).rawValue, revokedAt: record.revokedAt, revocationReason: record.revocationReason)
    }

    /// The gateway's side: forwards to the CA process on `socketPath`; `503 ca-unavailable` when it
    /// cannot be reached.
    static func desk(socketPath: String) -> CertificateInventoryRoutes.Desk {
        let outOfTurn = Problem(.serviceUnavailable, code: "ca-unavailable", title: "The certificate authority answered out of turn.")
        return CertificateInventoryRoutes.Desk(
            list: { query throws(Problem) in
                guard case .certificates(let list) = try await call(.inventory(query), socketPath: socketPath) else { throw outOfTurn }
                return list
            },
            revoke: { (serial, reason, actor) throws(Problem) in
                guard case .revoked(let revocation) = try await call(.revoke(serial: serial, reason: reason, actor: actor), socketPath: socketPath) else { throw outOfTurn }
                return revocation
            })
    }

    /// One request to the CA process on `socketPath`; its refusal thrown as the problem it names.
    static func call(_ request: RenewalForwarding.Request, socketPath: String) async throws(Problem) -> RenewalForwarding.Response {
        let response: RenewalForwarding.Response
        do throws(LocalSocketError) {
            response = try await LocalSocketClient.call(request, expecting: RenewalForwarding.Response.self, socketPath: socketPath)
        } catch {
            throw Problem(.serviceUnavailable, code: "ca-unavailable", title: "The certificate authority cannot be reached; try again later.")
        }
        if case .refused(let status, let code, let title) = response { throw Problem(HTTPResponse.Status(code: status), code: code, title: title) }
        return response
    }
}
