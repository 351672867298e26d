import Policy
package import Tokens
public import VaultDoor

extension Requester {
    /// The requester of a verified backend service (the gateway verified the service's client
    /// certificate and sent its name over the peer-authenticated door): policy role `service`
    /// with the `service` attribute, audit actor `service:<name>`.
    ///
    /// - Throws: ``VaultError/Code/invalidRequest`` when the name is not one of the modules
    ///   (``Module``). Fail closed: no requester, no access.
    public init(service caller: ServiceCaller) throws(VaultError) {
        guard let module = Module(rawValue: caller.service) else {
            throw VaultError(.invalidRequest, reason: "the caller is not a module of the platform")
        }
        self.init(module: module)
    }

    /// The requester of the module `module` (see ``init(service:)``); bilet's own processes and
    /// tests only.
    package init(module: Module) {
        self.init(principal: Principal(role: "service", service: module.rawValue), actor: "service:\(module.rawValue)")
    }
}
