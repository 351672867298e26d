import CertificateAuthority
import Gateway
import Logging
import Storage
import TLS

/// Wires the platform CA into a gateway process (`bilet serve`): the renewal route's function and
/// the CRL subscriber. The process holds the issuing CA (unsealed from the CA directory with the
/// issuing passphrase file) and a `bilet_ca` pool.
///
/// In the serve wiring:
/// ```swift
/// let issuers = try AuthorityDirectory(path: caDirectory).issuingAuthorities(passphrase: try Passphrase.file(passphraseFile))
/// let caPool = database.components().makePool(for: .ca, logger: logger)
/// let authority = CertificateAuthority(issuers: issuers, pool: caPool)
/// CertificateRoutes.add(to: router, renew: CertificateServices.renewal(authority))
/// services.append(try CertificateServices.subscriber(database: database.components(), store: gateway.material, logger: logger))
/// ```
enum CertificateServices {
    /// The renewal route's function: renews through `authority`, and turns its refusals into
    /// problem documents with the CA's stable codes.
    static func renewal(_ authority: CertificateAuthority) -> CertificateRoutes.Renew {
        { request throws(CertificateRoutes.RenewalRefusal) in
            do throws(CertificateAuthorityError) {
                return try await authority.renew(
                    requestPEM: request.requestPEM, presentedSerial: request.presentedCertificate.serial, principal: request.principal
                ).chainPEM
            } catch {
                throw CertificateRoutes.RenewalRefusal(status: .init(code: error.httpStatus), code: error.code.rawValue, title: error.title)
            }
        }
    }

    /// The CRL subscriber of a gateway whose material is `store`, reading CRLs as `bilet_ca`.
    static func subscriber(
        database: ComponentDatabase, store: TLSMaterialStore, observers: [any RevocationObserver] = [], logger: Logger
    ) throws -> RevocationListSubscriber {
        try RevocationListSubscriber(configuration: database.configuration(for: .ca), store: store, observers: observers, logger: logger)
    }
}
