/// A namespace of pairwise tokens: one per module, so the compiler keeps them apart.
public protocol TokenNamespace: Sendable {
    /// The prefix of the namespace's tokens.
    static var prefix: String { get }
    /// The module the namespace belongs to.
    static var module: Module { get }
}

/// The assessment module's namespace, `asm_…`.
public enum AssessmentNamespace: TokenNamespace {
    public static let prefix = "asm"
    public static let module = Module.assessment
}

/// The trials module's namespace, `trl_…`.
public enum TrialsNamespace: TokenNamespace {
    public static let prefix = "trl"
    public static let module = Module.trials
}

/// The recommendations module's namespace, `rec_…`.
public enum RecommendationsNamespace: TokenNamespace {
    public static let prefix = "rec"
    public static let module = Module.recommendations
}

/// A pupil's token inside one module's namespace.
///
/// Every module sees a different random token for the same pupil, so two modules' tables cannot
/// be joined without the vault, which translates between namespaces only where the policy
/// allows. The namespace is part of the type: an ``AssessmentToken`` cannot be passed where a
/// ``TrialsToken`` is expected.
public struct PairwiseToken<Namespace: TokenNamespace>: OpaqueToken, Codable {
    public static var prefix: String { Namespace.prefix }
    public let rawValue: String

    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    /// The module this token belongs to.
    public static var module: Module { Namespace.module }
}

/// A pupil's token in the assessment module.
public typealias AssessmentToken = PairwiseToken<AssessmentNamespace>
/// A pupil's token in the trials module.
public typealias TrialsToken = PairwiseToken<TrialsNamespace>
/// A pupil's token in the recommendations module.
public typealias RecommendationsToken = PairwiseToken<RecommendationsNamespace>

/// A pairwise token of any module, for code that handles all three (the vault, the gateway).
public struct ModuleToken: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The module.
    public let module: Module
    /// The token text.
    public let rawValue: String

    /// Wraps a typed token.
    public init<Namespace>(_ token: PairwiseToken<Namespace>) {
        self.module = Namespace.module
        self.rawValue = token.rawValue
    }

    /// Parses a token of any module, telling the module by the prefix.
    ///
    /// - Throws: ``TokenError/Code/malformed``.
    public init(parsing text: String) throws(TokenError) {
        let prefix = text.prefix { $0 != "_" }
        guard let module = Module(tokenPrefix: String(prefix)), TokenEncoding.isValid(text, prefix: module.tokenPrefix)
        else { throw TokenError(.malformed, expectedPrefix: "asm|trl|rec") }
        self.module = module
        self.rawValue = text
    }

    /// Builds a module's token from 16 random bytes (the vault's job).
    ///
    /// - Throws: ``TokenError/Code/invalidEntropy``.
    public init(module: Module, entropy: [UInt8]) throws(TokenError) {
        guard let text = TokenEncoding.encode(prefix: module.tokenPrefix, entropy: entropy) else {
            throw TokenError(.invalidEntropy, expectedPrefix: module.tokenPrefix)
        }
        self.module = module
        self.rawValue = text
    }

    /// The typed token, when this is a token of `Namespace`'s module.
    public func typed<Namespace>(as namespace: Namespace.Type = Namespace.self) -> PairwiseToken<Namespace>? {
        guard module == Namespace.module else { return nil }
        return PairwiseToken(uncheckedRawValue: rawValue)
    }

    public static func < (lhs: ModuleToken, rhs: ModuleToken) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }

    /// Decodes the token text, telling the module by its prefix.
    public init(from decoder: any Decoder) throws {
        self = try ModuleToken(parsing: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the token text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
