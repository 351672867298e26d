/// The backend modules that work on pairwise tokens and never on personal data.
///
/// The raw values are the modules' names in the policy schema (`service_name`) and in the
/// database (their roles are `bilet_<name>`).
public enum Module: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Online testing; tokens `asm_…`.
    case assessment
    /// Professional trials at venues; tokens `trl_…`.
    case trials
    /// Individual recommendations; tokens `rec_…`.
    case recommendations

    /// The prefix of this module's tokens.
    public var tokenPrefix: String {
        switch self {
        case .assessment: AssessmentNamespace.prefix
        case .trials: TrialsNamespace.prefix
        case .recommendations: RecommendationsNamespace.prefix
        }
    }

    /// The module whose tokens start with `prefix`, if any.
    public init?(tokenPrefix prefix: String) {
        guard let module = Module.allCases.first(where: { $0.tokenPrefix == prefix }) else { return nil }
        self = module
    }

    public var description: String { rawValue }
}
