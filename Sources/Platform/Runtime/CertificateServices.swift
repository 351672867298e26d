import CertificateAuthority
import CertificatesHTTP
import Gateway
import Logging
import PostgreSQL
import Settings
import Storage
import TLS

/// Wires the platform CA into a gateway process (`bilet serve`): the renewal route's function and
/// the CRL subscriber. The process holds the issuing CA (unsealed from `ca.directory` with the
/// passphrase in `ca.issuing_passphrase_file`) and a `bilet_ca` pool.
enum CertificateServices {
    /// The issuing CA this process holds, with the pool it issues through (the caller shuts it down).
    struct HeldAuthority {
        let authority: CertificateAuthority
        let pool: PostgresConnectionPool
    }

    /// Unseals the issuing CAs named by `settings`; `nil` when no CA is configured.
    /// - Throws: ``CertificateAuthorityError`` when the directory, a key or the passphrase file is
    ///   unusable (a passphrase file readable by others is refused).
    static func authority(_ settings: CASettings, database: ComponentDatabase, logger: Logger) throws -> HeldAuthority? {
        guard let directory = settings.directory, let passphraseFile = settings.issuingPassphraseFile else { return nil }
        let issuers = try AuthorityDirectory(path: directory).issuingAuthorities(passphrase: try Passphrase.file(passphraseFile))
        let pool = database.makePool(for: .ca, logger: logger)
        logger.info(
            "certificate authority held for renewals",
            metadata: ["hierarchies": "\(issuers.keys.map(\.rawValue).sorted().joined(separator: ","))"])
        return HeldAuthority(
            authority: CertificateAuthority(
                issuers: issuers, pool: pool, renewalOverlapSeconds: settings.renewalOverlapSeconds, logger: logger), pool: pool)
    }

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

    /// The CRL subscriber of a gateway whose material is `store`, reading CRLs as `bilet_gateway` (the
    /// gateway process holds no CA role).
    static func subscriber(
        database: ComponentDatabase, store: TLSMaterialStore, observers: [any RevocationObserver] = [], logger: Logger
    ) throws -> RevocationListSubscriber {
        try RevocationListSubscriber(configuration: database.configuration(for: .gateway), store: store, observers: observers, logger: logger)
    }
}
