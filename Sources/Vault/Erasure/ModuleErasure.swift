import Audit
import PostgreSQL
public import Tokens

/// What a pupil's erasure removed in one module: the module's items (tables) and how many rows of
/// each. Counts only; no values, no tokens.
public struct ModuleErasure: Sendable, Hashable, Codable {
    /// `assessment`, `trials` or `recommendations`.
    public var module: String
    /// Rows removed, by item (`results`, `attendance`, `items` …).
    public var removed: [String: Int64]

    public init(module: String, removed: [String: Int64]) {
        self.module = module
        self.removed = removed
    }
}

/// The receipt of an erasure: every subject erased (the subject first, then a pupil's guardians)
/// and, for a pupil, what each module removed (its pairwise token unlinked).
public struct ErasureReceipt: Sendable, Hashable, Codable {
    public var erased: [SubjectToken]
    public var modules: [ModuleErasure]

    public init(erased: [SubjectToken], modules: [ModuleErasure]) {
        self.erased = erased
        self.modules = modules
    }
}

extension Vault {
    /// Erases the pupil's data in every module, in the caller's (the erasure's) transaction: for
    /// each of the pupil's pairwise tokens, the module schema's `erase_pupil(token)` (migration
    /// 0690; each module keeps its own up to date with its tables) deletes the token's rows, then
    /// the token is deleted from `vault.module_tokens`. Any failure throws, and the whole erasure
    /// rolls back (fail closed): a pupil is never half erased.
    func eraseModules(of subject: SubjectRecord, on connection: PostgresConnection) async throws -> [ModuleErasure] {
        let tokens = try await connection.query(
            "SELECT module, token FROM vault.module_tokens WHERE subject_id = \(subject.id) ORDER BY module FOR UPDATE")
        var erased: [ModuleErasure] = []
        for row in tokens {
            let name = try row.decode(String.self, at: 0)
            guard let module = Module(rawValue: name) else { throw VaultError(.storage, reason: "an unknown module in vault.module_tokens") }
            let token = try ModuleToken(parsing: try row.decode(String.self, at: 1))
            guard token.module == module else { throw VaultError(.storage, reason: "a module token of another namespace") }
            let schema = try SQLIdentifier(module.rawValue)
            var removed: [String: Int64] = [:]
            for item in try await connection.query("SELECT item, removed FROM \(identifier: schema).erase_pupil(\(token.rawValue))") {
                removed[try item.decode(String.self, at: 0), default: 0] += try item.decode(Int64.self, at: 1)
            }
            erased.append(ModuleErasure(module: module.rawValue, removed: removed))
        }
        try await connection.execute("DELETE FROM vault.module_tokens WHERE subject_id = \(subject.id)")
        return erased
    }

    /// The `module.erased` records of `modules` for the pupil `subject`.
    static func moduleErasureEvents(_ modules: [ModuleErasure], subject: SubjectToken, actor: String) -> [AuditEvent] {
        modules.map { erasure in
            ModuleErased(
                actor: actor, subject: subject.rawValue, module: erasure.module, items: erasure.removed.keys.sorted(),
                removedCount: erasure.removed.values.reduce(0, +)
            ).event
        }
    }
}
