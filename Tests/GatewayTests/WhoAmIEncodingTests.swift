import Foundation
@testable import Gateway
import GnuTLS
import Identity
import Testing

/// The hand-built `/v1/whoami` JSON is exactly what JSONEncoder would write.
@Suite struct WhoAmIEncodingTests {
    static let tls = WhoAmI.TLSBody(protocol: "TLS1.3", cipherSuite: "TLS_AES_128_GCM_SHA256", resumed: true)

    @Test(arguments: ["bilet://school/77-1234/ws/3", "bilet://venue/msk-0042/ws/999999", "bilet://service/kpi-export"])
    func matchesJSONEncoder(uri: String) throws {
        let body = WhoAmI(principal: try IdentityURI.parse(uri), tls: Self.tls, listener: "work\"stations\\\n")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode(body), as: UTF8.self)
        #expect(body.json == expected)
        #expect(try JSONDecoder().decode(WhoAmI.self, from: Data(body.json.utf8)) == body)
    }
}
