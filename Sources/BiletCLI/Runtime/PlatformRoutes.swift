import Gateway
import Hummingbird

/// Every route `bilet serve`'s gateway answers, added in one place.
///
/// Each route group is one optional dependency here and one line in ``makeRouter()``: the
/// gateway's own `/healthz` and `/v1/whoami` always, `POST /v1/certificates/renew` when this
/// process holds the issuing CA. A new group (staff sessions, the audit API, …) adds its
/// dependency as a property and its `add(to:)` call below.
struct PlatformRoutes: Sendable {
    /// Renews certificates; `nil` when the process holds no CA (`ca.directory` unset).
    var certificateRenewal: CertificateRoutes.Renew?

    /// The router with every configured route group.
    func makeRouter() -> Router<BiletRequestContext> {
        let router = Gateway.makeRouter()
        if let certificateRenewal { CertificateRoutes.add(to: router, renew: certificateRenewal) }
        return router
    }

    /// The route groups served, for the start-up log.
    var groups: [String] {
        ["gateway"] + (certificateRenewal == nil ? [] : ["certificates"])
    }
}
