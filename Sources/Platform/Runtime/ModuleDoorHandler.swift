import Foundation
import Tokens
package import Vault
package import VaultDoor

/// Answers the modules' door (``ModuleDoorRequest``) in the vault process, as the verified
/// service's requester (``Requester/init(service:)``): translations through
/// ``Vault/moduleToken(for:in:purpose:by:)`` (`token.resolved`) and reads through
/// ``Vault/moduleRead(_:fields:purpose:by:)`` (`pii.read`). The vault decides, checks consent and
/// audits; this translates messages and refusals.
///
/// A module names pupils by its own pairwise tokens only, and the vault enforces it in code, not
/// through the policy alone (modules attack review #10): ``Vault/moduleRead(_:fields:purpose:by:)``
/// and ``Vault/moduleToken(for:in:purpose:by:)`` refuse a service's token of another namespace
/// before any policy decision (audited, naming the pupil), and a translation into another
/// module's namespace needs a `translate` rule that names the service (today only the
/// recommendations engine, for a recommendation). Whatever the vault answers about any
/// other token (another module's, malformed, or the vault's own `sub_…`; unknown, erased or
/// denied) comes back `forbidden`, so a module cannot probe which of another namespace's tokens
/// exist; the vault audited every attempt it could parse.
package enum ModuleDoorHandler {
    package static func answer(_ request: ModuleDoorRequest, service: ServiceCaller, vault: Vault) async -> VaultDoorResponse {
        let requester: Requester
        do {
            requester = try Requester(service: service)
        } catch {
            return .refused(code: "forbidden")
        }
        let tokenText: String
        switch request {
        case .translate(let token, _, _), .read(let token, _, _): tokenText = token
        }
        // Requester(service:) accepted the name, so it is a module's.
        let own = Module(rawValue: service.service)?.tokenPrefix ?? ""
        let foreign = !tokenText.hasPrefix(own + "_")
        guard let token = try? ModuleToken(parsing: tokenText) else { return .refused(code: foreign ? "forbidden" : "pupil-not-found") }
        do throws(VaultError) {
            switch request {
            case .translate(_, let to, let purpose):
                guard let target = Module(rawValue: to) else { return .refused(code: "invalid-request") }
                let translated = try await vault.moduleToken(for: .module(token), in: target, purpose: purpose, by: requester)
                return .modules(.token(translated.rawValue))
            case .read(_, let names, let purpose):
                guard !names.isEmpty, names.count <= PupilDoorHandler.maximumFields, Set(names).count == names.count else {
                    return .refused(code: "invalid-request")
                }
                let fields = names.map(FieldName.init(rawValue:))
                guard fields.allSatisfy(SubjectKind.pupil.fields.contains) else { return .refused(code: "unknown-field") }
                let data = try await vault.moduleRead(token, fields: fields, purpose: purpose, by: requester)
                var released: [String: String] = [:]
                for (field, value) in data.fields {
                    if let text = value.releasedValue?.exposedText { released[field.rawValue] = text }
                }
                return .modules(.fields(token: token.rawValue, fields: released))
            }
        } catch {
            if foreign, error.code != .sealed { return .refused(code: "forbidden") }
            return .refused(code: DoorRefusals.code(for: error, about: .school))
        }
    }
}
