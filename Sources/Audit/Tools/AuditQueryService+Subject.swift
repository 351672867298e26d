extension AuditQueryService {
    /// An offline-checkable inclusion proof of leaf `leafIndex` against the newest signed
    /// checkpoint, given only when the entry at that leaf is about `subject` and of one of `kinds`
    /// (a data subject proving an access to their own data, and only that: the leaf's input carries
    /// its actor, so the officers' reads and the policy's refusals about the subject are not
    /// proved to them): the same ``ProofBundle`` as ``prove(leafIndex:sequence:)``, and the read
    /// recorded with the subject.
    ///
    /// - Throws: ``AuditError/Code/notFound`` alike when no checkpoint covers the leaf yet, the leaf
    ///   has no record, or its record is about another subject or of another kind (one answer: no
    ///   oracle of other leaves); storage and recording errors.
    public func prove(leafIndex: UInt64, aboutSubject subject: String, ofKinds kinds: Set<String>) async throws(AuditError) -> ProofBundle {
        guard let checkpoint = try await store.latestCheckpoint(), checkpoint.checkpoint.size > leafIndex,
            let (_, record) = try await store.leaf(at: leafIndex), let record, record.subject == subject,
            kinds.contains(record.kind)
        else {
            throw AuditError(.notFound, "no provable entry about the subject at this leaf")
        }
        let bundle = try await inclusionBundle(leafIndex, checkpoint: checkpoint)
        try await recordRead("prove", subject: subject, results: 1)
        return bundle
    }
}
