/// A call from a gateway process to the vault process's door (`vault.door_socket`).
///
/// The gateway holds no key of the vault: whatever needs one is asked for here, and the vault
/// answers only processes of the users it allows (peer credentials).
///
/// Each request names exactly what the gateway may ask for; nothing lets it use a vault key for
/// another purpose (the audit field a keyed hash is made for is fixed by the vault, not chosen by the
/// caller, so the door cannot be used to test SNILS or other values against hashes in the log).
/// Requests about personal data name the verified ``DoorCaller`` they are made for; the vault
/// decides, checks consent and audits as that caller.
public enum VaultDoorRequest: Codable, Sendable, Hashable {
    /// The keyed hash (HMAC under the vault's audit-hash key, field `attempted_account`) of a typed
    /// staff login, so it reaches the audit log only as a hash.
    case attemptedAccountHash(login: String)
    /// Whether the vault is unsealed, for the gateway's `/readyz`; answered ``VaultDoorResponse/status(unsealed:)``.
    case status
    /// Pupils: registration, card reads and corrections, search, the duplicate register.
    case pupils(PupilDoorRequest, caller: DoorCaller)
    /// A school's records: consents and scans, transfers, subject-access requests, bulk import.
    case records(RecordsDoorRequest, caller: DoorCaller)
    /// Assessment: a pupil's assessment token for the assessment routes.
    case assessment(AssessmentDoorRequest, caller: DoorCaller)
    /// Navigator teachers' assignments to pupils (a school's staff session).
    case navigators(NavigatorDoorRequest, caller: DoorCaller)
    /// The modules' door: a backend service's translation or read, as the gateway verified the
    /// service's client certificate.
    case modules(ModuleDoorRequest, service: ServiceCaller)
    /// Trials and events: enrolment translation, relationship facts, the mentor's attendance names.
    case trials(TrialsDoorRequest, caller: DoorCaller)
    /// Recommendations: a pupil's recommendations token, for a navigator or the pupil.
    case recommendations(RecommendationsDoorRequest, caller: DoorCaller)
    /// KPI: the vault's aggregate counts (pupils registered, consents collected).
    case kpi(KPIDoorRequest, caller: DoorCaller)
}

/// The vault's answer to a ``VaultDoorRequest``.
public enum VaultDoorResponse: Codable, Sendable, Hashable {
    /// The keyed hash, as the audit log records it.
    case keyedHash(String)
    /// The vault's state: unsealed (its key ring loaded) or sealed. Nothing else.
    case status(unsealed: Bool)
    case pupils(PupilDoorResponse)
    case records(RecordsDoorResponse)
    case assessment(AssessmentDoorResponse)
    case navigators(NavigatorDoorResponse)
    case modules(ModuleDoorResponse)
    case trials(TrialsDoorResponse)
    case recommendations(RecommendationsDoorResponse)
    case kpi(KPIDoorResponse)
    /// Refused, with a stable code (`sealed`, `invalid-request`, `internal`, or a vault error code
    /// such as `policy-denied`, `unknown-subject`) and nothing else.
    case refused(code: String)
}

extension VaultDoorRequest {
    /// The request's area, a fixed word for the metrics (`pupils`, `records`, …): never a value from it.
    public var area: Area {
        switch self {
        case .attemptedAccountHash: .attemptedAccountHash
        case .status: .status
        case .pupils: .pupils
        case .records: .records
        case .assessment: .assessment
        case .navigators: .navigators
        case .modules: .modules
        case .trials: .trials
        case .recommendations: .recommendations
        case .kpi: .kpi
        }
    }

    /// The areas of the door, one per case of ``VaultDoorRequest``.
    public enum Area: String, Sendable, Hashable, CaseIterable {
        case attemptedAccountHash = "attempted-account-hash"
        case status, pupils, records, assessment, navigators, modules, trials, recommendations, kpi
    }
}
