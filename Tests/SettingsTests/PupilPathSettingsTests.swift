import Foundation
import Settings
import Testing

/// The pupils' listener's rate limits and token cache time: `gateway.pupil_session_rate`,
/// `gateway.pupil_address_rate` (`requests/burst` or `off`) and `gateway.pupil_token_ttl_seconds`.
@Suite struct PupilPathSettingsTests {
    @Test func unsetMeansTheDefaults() async throws {
        let settings = try await SettingsLoader(environment: [:]).load(file: nil)
        #expect(settings.gateway.pupilSessionRate == .standard)
        #expect(settings.gateway.pupilAddressRate == .standard)
        #expect(settings.gateway.pupilTokenTTLSeconds == nil)
    }

    @Test func ratesAndOffAreRead() async throws {
        let settings = try await SettingsLoader(environment: [
            "BILET_GATEWAY_PUPIL_SESSION_RATE": "5/20", "BILET_GATEWAY_PUPIL_ADDRESS_RATE": "off", "BILET_GATEWAY_PUPIL_TOKEN_TTL_SECONDS": "30",
        ]).load(file: nil)
        #expect(settings.gateway.pupilSessionRate == .rate(RequestRate(perSecond: 5, burst: 20)))
        #expect(settings.gateway.pupilAddressRate == .off)
        #expect(settings.gateway.pupilTokenTTLSeconds == 30)
    }

    @Test(arguments: [
        ("BILET_GATEWAY_PUPIL_SESSION_RATE", "10"), ("BILET_GATEWAY_PUPIL_SESSION_RATE", "0/30"), ("BILET_GATEWAY_PUPIL_SESSION_RATE", "10/x"),
        ("BILET_GATEWAY_PUPIL_ADDRESS_RATE", "none"), ("BILET_GATEWAY_PUPIL_TOKEN_TTL_SECONDS", "0"), ("BILET_GATEWAY_PUPIL_TOKEN_TTL_SECONDS", "3601"),
    ])
    func malformedValuesAreRefused(_ name: String, _ value: String) async {
        let error = await #expect(throws: SettingsError.self) { try await SettingsLoader(environment: [name: value]).load(file: nil) }
        #expect(error?.code == .invalidValue)
        #expect(error?.key == SettingKey.all.first { $0.environmentName == name }?.name)
    }
}
