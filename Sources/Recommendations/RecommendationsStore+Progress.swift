import PostgreSQL
public import Tokens

extension RecommendationsStore {
    /// Which of `pupils` have at least one published recommendation, read-only, in one statement
    /// (token text).
    public func withPublished(_ pupils: [RecommendationsToken]) async throws(RecommendationsError) -> Set<String> {
        guard !pupils.isEmpty else { return [] }
        let list = pupils.map(\.rawValue).joined(separator: ",")
        return try await read("the pupils' published recommendations") {
            let rows = try await pool.query(
                """
                SELECT DISTINCT pupil_token FROM recommendations.items
                WHERE pupil_token = ANY(string_to_array(\(list), ',')) AND status = 'published'
                """)
            return Set(try rows.map { try $0.decode(String.self, at: 0) })
        }
    }
}
