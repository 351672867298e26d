extension AuditQueryService {
    /// An offline-checkable inclusion proof of leaf `leafIndex` against the newest signed
    /// checkpoint, given only when the entry at that leaf is about `subject` (a data subject proving
    /// an access to their own data): the same ``ProofBundle`` as ``prove(leafIndex:sequence:)``,
    /// and the read recorded with the subject.
    ///
    /// - Throws: ``AuditError/Code/notFound`` alike when no checkpoint covers the leaf yet, the leaf
    ///   has no record, or its record is about another subject (one answer: no oracle of other
    ///   subjects' leaves); storage and recording errors.
    public func prove(leafIndex: UInt64, aboutSubject subject: String) async throws(AuditError) -> ProofBundle {
        guard let checkpoint = try await store.latestCheckpoint(), checkpoint.checkpoint.size > leafIndex,
            let (_, record) = try await store.leaf(at: leafIndex), let record, record.subject == subject
        else {
            throw AuditError(.notFound, "no provable entry about the subject at this leaf")
        }
        let bundle = try await inclusionBundle(leafIndex, checkpoint: checkpoint)
        try await recordRead("prove", subject: subject, results: 1)
        return bundle
    }
}
