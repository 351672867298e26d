import Accounts
import Foundation
import Gateway
import Hummingbird
import Pages
import VaultDoor
import VaultHTTP

extension OfficerPages {
    /// The vault's erasure deadlines (`GET /app/erasure/deadlines`, the overdue ones marked) and
    /// its destruction register (`GET /app/erasure/register`): the door calls of
    /// `GET /v1/erasure/deadlines` and `GET /v1/erasure/register`; the vault decides (rule
    /// `compliance.erasure-register.oversee`) and audits each read as `erasure_register.read`.
    static func addErasureRegister(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, door: VaultDoorClient) {
        pages.get("erasure/deadlines") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let answer: VaultDoorResponse
            do throws(Problem) {
                answer = try await DoorCalls.call(door, .records(.erasureDeadlines, caller: DoorCalls.caller(for: staff)))
            } catch {
                return kit.errorPage(error, staff: staff)
            }
            guard case .records(.erasureDeadlines(let deadlines)) = answer else { return kit.errorPage(Problem.internalError, staff: staff) }
            let now = Date()
            let rows = deadlines.map {
                ErasureDeadlinesPage.Row(
                    subject: $0.subject, kind: $0.kind, scope: $0.scope, fields: $0.fields, reason: $0.reason, due: $0.due,
                    legalHold: $0.legalHold, now: now)
            }
            return try kit.page(
                .erasureDeadlines, staff: staff,
                values: [
                    "deadlines": rows, "hasDeadlines": !rows.isEmpty, "deadlineCount": rows.count, "overdueCount": rows.filter(\.overdue).count,
                ])
        }
        pages.get("erasure/register") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .complianceOfficer else { return notForRole(kit, staff) }
            let answer: VaultDoorResponse
            do throws(Problem) {
                answer = try await DoorCalls.call(door, .records(.destructionRegister, caller: DoorCalls.caller(for: staff)))
            } catch {
                return kit.errorPage(error, staff: staff)
            }
            guard case .records(.destructionRegister(let entries)) = answer else { return kit.errorPage(Problem.internalError, staff: staff) }
            let rows = entries.map {
                DestructionRegisterPage.Row(
                    subject: $0.subject, kind: $0.kind, scope: $0.scope, categories: $0.categories, method: $0.method, reason: $0.reason,
                    requestedBy: $0.requestedBy, destroyedAt: $0.destroyedAt, keepUntil: $0.keepUntil)
            }
            return try kit.page(.erasureRegister, staff: staff, values: ["registerEntries": rows, "hasRegisterEntries": !rows.isEmpty, "count": rows.count])
        }
    }
}
