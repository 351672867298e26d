import Audit
import Foundation
import Vault
import VaultDoor

/// Answers the door's ``KPIDoorRequest``s in the vault process through
/// ``Vault/kpiCounts(organisation:organisationKind:region:since:by:)``: the policy decides
/// `aggregate` on the `kpi` resource for the verified caller and a refusal is audited; only
/// counts come back.
enum KPIDoorHandler {
    static func answer(_ request: KPIDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        do throws(VaultError) {
            let requester = try Requester(caller: caller, schema: vault.policies.current.schema)
            switch request {
            case .counts(let scope, let id, let region, let sinceText):
                guard let since = AuditTime.parse(sinceText), ["region", "school", "venue"].contains(scope) else {
                    return .refused(code: "invalid-request")
                }
                let months = try await vault.kpiCounts(
                    organisation: scope == "region" ? nil : id, organisationKind: scope == "venue" ? "venue" : "school", region: region,
                    since: since, by: requester)
                return .kpi(
                    .months(
                        months.map {
                            KPIDoorMonth(month: $0.month, pupilsRegistered: $0.pupilsRegistered, consentsCollected: $0.consentsCollected)
                        }))
            }
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: .school))
        }
    }
}
