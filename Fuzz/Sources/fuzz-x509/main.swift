// X.509 as the CA and the gateway read it, through the GnuTLS wrapper: a certificate signing
// request (PEM and DER), certificates (DER and a PEM chain) and CRLs (PEM), and what is read of each.
import FuzzSupport
import GnuTLS

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    for request in [try? CertificateSigningRequest(pem: text), try? CertificateSigningRequest(der: bytes)] {
        guard let request else { continue }
        _ = (request.isSignatureValid, request.commonName, request.subjectAlternativeNames)
        _ = (request.extendedKeyUsage, request.requestsCertificateAuthority, request.der, request.pemRepresentation)
    }
    var certificates = (try? X509Certificate.list(pem: bytes)) ?? []
    if let certificate = try? X509Certificate(der: bytes) { certificates.append(certificate) }
    for certificate in certificates {
        _ = (certificate.serialNumber, certificate.rawIssuer, certificate.rawSubject, certificate.notBefore)
        _ = (certificate.notAfter, certificate.subjectAlternativeURIs, certificate.subjectAlternativeURIReading)
        _ = (certificate.extendedKeyUsage, certificate.keyUsage, certificate.isCertificateAuthority)
        _ = (certificate.mayBeCertificateAuthority, certificate.publicKeyAlgorithmName, certificate.der)
    }
    for list in (try? CertificateRevocationList.list(pem: bytes)) ?? [] {
        _ = (list.rawIssuer, list.thisUpdate, list.nextUpdate, try? list.revokedSerialNumbers())
    }
    return 0
}

runFuzzer(fuzzOne)
