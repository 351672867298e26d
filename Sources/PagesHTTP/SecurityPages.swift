import Accounts
import CertificatesHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

/// The security administrator's pages: the certificate inventory (`GET /app/certificates`, with
/// `?expiring=30` those expiring within 30 days) and revoking one with a reason
/// (`GET|POST /app/certificates/{serial}/revoke`). Each calls what `/v1/certificates` calls
/// (``CertificateInventoryRoutes/list(_:as:_:)``, ``CertificateInventoryRoutes/revoke(serial:reason:as:_:)``):
/// the same policy decision (`certificate`, `certificate_management`), the CA over its socket, the
/// same audit records (`certificate.listed`, `certificate.revoked`).
enum SecurityPages {
    /// Adds the pages to `pages`.
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, certificates: CertificateInventoryRoutes.Dependencies) {
        pages.get("certificates") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .securityAdmin else { return kit.notForRole(staff, whose) }
            var query = CertificateInventoryRoutes.Query(actor: staff.actor)
            if let days = request.uri.queryParameters["expiring"].map(String.init) {
                guard let number = Int(days), (1...CertificateInventoryRoutes.maximumDays).contains(number) else {
                    return kit.errorPage(.badRequest, "Срок указывается числом дней от 1 до 365.", staff: staff, back: "/app/certificates")
                }
                query.expiringWithinDays = number
            }
            let now = Date()
            let listed: [CertificateInventoryRoutes.Certificate]
            do {
                listed = try await CertificateInventoryRoutes.list(query, as: staff, certificates)
            } catch let error as Problem {
                return errorPage(kit, error, staff)
            }
            let rows = listed.map { row($0, now: now) }
            return try kit.page(
                .certificates, staff: staff,
                values: [
                    "certificates": rows, "hasCertificates": !rows.isEmpty, "count": rows.count,
                    "expiring": query.expiringWithinDays != nil, "days": query.expiringWithinDays ?? 0,
                ])
        }
        pages.get("certificates/:serial/revoke") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .securityAdmin else { return kit.notForRole(staff, whose) }
            let serial = context.parameters.get("serial") ?? ""
            return try await revokeForm(kit, staff, certificates, serial: serial, form: CheckedForm(CertificatesPage.sections))
        }
        pages.post("certificates/:serial/revoke") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .securityAdmin else { return kit.notForRole(staff, whose) }
            let serial = context.parameters.get("serial") ?? ""
            let (form, reason) = CertificatesPage.check(try await CSRFMiddleware.form(request))
            guard let reason else {
                return try await revokeForm(kit, staff, certificates, serial: serial, form: form, status: .unprocessableContent)
            }
            let revocation: CertificateInventoryRoutes.Revocation
            do {
                revocation = try await CertificateInventoryRoutes.revoke(serial: serial, reason: reason, as: staff, certificates)
            } catch let error as Problem {
                return errorPage(kit, error, staff, back: "/app/certificates")
            }
            return try kit.page(
                .certificateRevoke, staff: staff,
                values: [
                    "revoked": true, "serial": revocation.certificate.serial, "reason": CertificatesPage.reasonName(reason).lowercased(),
                    "successors": revocation.successors.map(\.serial), "hasSuccessors": !revocation.successors.isEmpty,
                ])
        }
    }

    /// The revocation form for `serial` with the certificate's details (that one certificate from
    /// the inventory, as the policy permits `staff` to read it, wherever it sorts in the whole
    /// inventory); `404` for a serial the inventory lacks or that cannot be revoked.
    static func revokeForm(
        _ kit: PageKit, _ staff: StaffSession, _ certificates: CertificateInventoryRoutes.Dependencies, serial: String, form: CheckedForm,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let listed: [CertificateInventoryRoutes.Certificate]
        do {
            listed = try await CertificateInventoryRoutes.list(
                CertificateInventoryRoutes.Query(actor: staff.actor, serial: serial), as: staff, certificates)
        } catch let error as Problem {
            return errorPage(kit, error, staff)
        }
        guard let found = listed.first(where: { $0.serial == serial.lowercased() }).map({ row($0, now: Date()) }), found.revocable else {
            return kit.errorPage(.notFound, messages["certificate-unknown"]!, staff: staff, back: "/app/certificates")
        }
        return try kit.page(.certificateRevoke, status: status, staff: staff, values: ["certificate": found, "serial": found.serial, "form": form])
    }

    /// A certificate of the API as the table shows it.
    static func row(_ certificate: CertificateInventoryRoutes.Certificate, now: Date) -> CertificatesPage.Row {
        CertificatesPage.Row(
            serial: certificate.serial, profile: certificate.profile, organisation: certificate.organisation, identity: certificate.identity,
            notBefore: certificate.notBefore, notAfter: certificate.notAfter, state: certificate.state,
            revocationReason: certificate.revocationReason, now: now)
    }

    /// The Russian sentences of the CA's and the inventory's refusal codes.
    static let messages: [String: String] = [
        "certificate-unknown": "Такого сертификата нет в реестре, или его нельзя отозвать (сертификат УЦ, уже отозванный или истёкший).",
        "already-revoked": "Этот сертификат уже отозван.",
        "invalid-argument": "Сертификат УЦ не отзывается здесь: он заменяется вместе с иерархией.",
        "invalid-reason": "Выберите причину отзыва из списка.",
        "ca-unavailable": "Удостоверяющий центр сейчас недоступен. Попробуйте ещё раз через минуту.",
        "hierarchy-unavailable": "Удостоверяющий центр не может подписать список отзыва этой иерархии.",
    ]

    /// The error page of `problem`, with the CA's codes in Russian.
    static func errorPage(_ kit: PageKit, _ problem: Problem, _ staff: StaffSession, back: String = "/app/home") -> Response {
        guard let text = messages[problem.code] else { return kit.errorPage(problem, staff: staff, back: back) }
        return kit.errorPage(problem.status, text, staff: staff, back: back)
    }

    /// Whose pages these are, in the refusal to another role.
    static let whose = "администратора безопасности"
}
