import Gateway
import Settings
import Tokens

extension PlatformRoutes {
    /// What the pupils' listener shares across its routes: the rate limits and the cache of each
    /// pupil session's assessment token (`gateway.pupil_session_rate`, `gateway.pupil_address_rate`,
    /// `gateway.pupil_token_ttl_seconds`).
    struct PupilPath: Sendable {
        let limits: PupilRateLimits
        let assessmentTokens: PupilSessionCache<AssessmentToken>

        /// The defaults: 10/30 per session, 1000/2000 per address, tokens kept 60 s.
        init() {
            self.init(GatewaySettings())
        }

        /// From the gateway's settings.
        init(_ settings: GatewaySettings) {
            func rate<Key: Hashable & Sendable>(_ setting: RateLimitSetting, _ standard: TokenBucketLimiter<Key>.Rate) -> TokenBucketLimiter<Key>.Rate? {
                switch setting {
                case .standard: standard
                case .off: nil
                case .rate(let rate): .init(perSecond: Double(rate.perSecond), burst: rate.burst)
                }
            }
            self.limits = PupilRateLimits(
                session: rate(settings.pupilSessionRate, PupilRateLimits.defaultSession),
                address: rate(settings.pupilAddressRate, PupilRateLimits.defaultAddress))
            self.assessmentTokens = PupilSessionCache(ttl: .seconds(settings.pupilTokenTTLSeconds ?? 60))
        }
    }
}
