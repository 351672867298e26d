import Accounts
import Audit
import AuditHTTP
import Foundation
import Gateway
import Hummingbird
import Pages
import VaultDoor

/// The compliance officer's pages behind the page session, one file each: the audit search
/// (`OfficerPages+AuditSearch.swift`), the per-pupil access report, the log's verification status
/// the open subject-access requests, the destructions the log records, and the vault's erasure
/// deadlines and destruction register. Each calls what the matching `/v1/` route calls: the audit
/// log through ``AuditRoutes/authorize(_:action:_:)`` (the same policy decision, the same denial
/// record, the same `audit.read` records of ``AuditQueryService``), the register through the
/// vault's door as the session's ``DoorCaller``.
enum OfficerPages {
    /// Adds the officer's pages to `pages`: the audit pages with `audit`, the requests with `door`.
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, audit: AuditRoutes.Dependencies?, door: VaultDoorClient?) {
        if let audit {
            addAuditSearch(to: pages, kit, audit: audit)
            addReport(to: pages, kit, audit: audit)
            addStatus(to: pages, kit, audit: audit)
            addErasures(to: pages, kit, audit: audit)
        }
        if let door {
            addAccessRequests(to: pages, kit, door: door)
            addErasureRegister(to: pages, kit, door: door)
        }
    }

    /// The answer to another role on an officer's page (the policy would refuse the read anyway).
    static func notForRole(_ kit: PageKit, _ staff: StaffSession) -> Response {
        kit.errorPage(.forbidden, "Эта страница для ответственного за защиту персональных данных.", staff: staff)
    }

    /// An audit record's fields as the tables show them (`nil` once retention pruned them).
    static func fields(_ entry: AuditEntry) -> [(String, String)]? {
        entry.fields.map { fields in
            fields.map { name, value in
                switch value {
                case .string(let text): (name, text)
                case .integer(let number): (name, String(number))
                case .list(let list): (name, list.joined(separator: ", "))
                }
            }
        }
    }

    /// The row of `entry` in a results table.
    static func row(_ entry: AuditEntry) -> AuditSearchPage.Row {
        AuditSearchPage.Row(
            time: RussianFormat.dateTimeSeconds(entry.recordedAt), type: entry.type, actor: entry.actor, subject: entry.subject,
            decision: entry.decision, purpose: entry.purpose, leaf: entry.leafIndex, fields: fields(entry))
    }
}
