public import Foundation
public import PostgreSQL
public import Tokens

/// The recommendations module's store, in the `recommendations` schema, through a pool connecting
/// as `bilet_recommendations` (migration 0730): the regions' opportunities and the pupils'
/// recommendations with their review state. Pupils are known by their ``RecommendationsToken``
/// only.
///
/// Whether a caller may act is the policy's decision, taken by the caller (RecommendationsHTTP).
/// Each change takes a `record` closure the store calls inside the change's transaction, after
/// the change and before COMMIT: the caller appends its audit record there, and if that fails
/// nothing changes (``RecommendationsError/Code/recordFailed``).
public struct RecommendationsStore: Sendable {
    /// What a change calls before it commits (the caller's audit record).
    public typealias Record<Change> = @Sendable (Change) async throws -> Void

    public let pool: PostgresConnectionPool

    /// A store over `pool` (role `bilet_recommendations`).
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    // Every query below returns the columns ``recommendation(_:)`` reads, in its order.

    // MARK: Recommendations

    /// Replaces `pupil`'s drafts with `ranked` (published recommendations stay), keyed for the KPI
    /// by `school` and `region` when known. Returns the new drafts in rank order.
    ///
    /// - Throws: ``RecommendationsError/Code/invalidArgument``, ``RecommendationsError/Code/recordFailed``,
    ///   ``RecommendationsError/Code/storage``.
    public func replaceDrafts(
        of pupil: RecommendationsToken, with ranked: [RankedRecommendation], school: String?, region: String?, by actor: String,
        record: Record<[StoredRecommendation]> = { _ in }
    ) async throws(RecommendationsError) -> [StoredRecommendation] {
        guard ranked.count <= 1000 else { throw RecommendationsError(.invalidArgument, "too many recommendations") }
        let encoded = try ranked.map { item throws(RecommendationsError) in (item, try Self.encode(item.reasons)) }
        return try await transaction("generating recommendations") { connection in
            try await connection.execute(
                "DELETE FROM recommendations.items WHERE pupil_token = \(pupil.rawValue) AND status = 'draft'")
            var stored: [StoredRecommendation] = []
            for (item, reasons) in encoded {
                let rows = try await connection.query(
                    """
                    INSERT INTO recommendations.items (pupil_token, kind, subject, title, score, rank, reasons, text, school, region, generated_by)
                    VALUES (\(pupil.rawValue), \(item.kind.rawValue), \(item.subject), \(item.title), \(item.score), \(item.rank),
                            \(reasons)::jsonb, \(item.text), \(school), \(region), \(actor))
                    RETURNING id, pupil_token, kind, subject, title, score, rank, reasons::text, text, status, school, region, generated_by, generated_at, edited_by, published_at
                    """)
                guard let row = rows.first else { throw RecommendationsError(.storage, "an insert returned nothing") }
                stored.append(try Self.recommendation(row))
            }
            try await Self.call(record, stored)
            return stored
        }
    }

    /// `pupil`'s recommendations: all (the navigator's review) or only the published ones (what
    /// the pupil reads), by kind and rank.
    ///
    /// - Throws: ``RecommendationsError/Code/storage``.
    public func recommendations(for pupil: RecommendationsToken, publishedOnly: Bool) async throws(RecommendationsError) -> [StoredRecommendation] {
        try await read("listing recommendations") {
            let rows = try await pool.query(
                """
                SELECT id, pupil_token, kind, subject, title, score, rank, reasons::text, text, status, school, region, generated_by, generated_at, edited_by, published_at FROM recommendations.items
                WHERE pupil_token = \(pupil.rawValue) AND (\(!publishedOnly) OR status = 'published')
                ORDER BY array_position(ARRAY['sphere', 'competency', 'event', 'opportunity'], kind), rank, id LIMIT 1000
                """)
            return try rows.map { row throws(RecommendationsError) in try Self.recommendation(row) }
        }
    }

    /// Replaces the text of `pupil`'s recommendation `id` (the navigator's edit); the reasons stay
    /// as data. Editing a published one keeps it published with the new text.
    ///
    /// - Throws: ``RecommendationsError/Code/invalidArgument``, ``RecommendationsError/Code/notFound``,
    ///   ``RecommendationsError/Code/recordFailed``, ``RecommendationsError/Code/storage``.
    public func edit(
        _ id: Int64, of pupil: RecommendationsToken, text: String, by actor: String, record: Record<StoredRecommendation> = { _ in }
    ) async throws(RecommendationsError) -> StoredRecommendation {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...4000).contains(text.count) else { throw RecommendationsError(.invalidArgument, "text must have 1 to 4000 characters") }
        return try await transaction("editing a recommendation") { connection in
            let rows = try await connection.query(
                """
                UPDATE recommendations.items SET text = \(text), edited_by = \(actor), edited_at = now()
                WHERE id = \(id) AND pupil_token = \(pupil.rawValue) RETURNING id, pupil_token, kind, subject, title, score, rank, reasons::text, text, status, school, region, generated_by, generated_at, edited_by, published_at
                """)
            guard let row = rows.first else { throw RecommendationsError(.notFound, "no such recommendation of the pupil") }
            let item = try Self.recommendation(row)
            try await Self.call(record, item)
            return item
        }
    }

    /// Publishes `pupil`'s recommendation `id`: from now the pupil reads it. Publishing one already
    /// published changes nothing and records nothing.
    ///
    /// - Throws: ``RecommendationsError/Code/notFound``, ``RecommendationsError/Code/recordFailed``,
    ///   ``RecommendationsError/Code/storage``.
    public func publish(
        _ id: Int64, of pupil: RecommendationsToken, by actor: String, record: Record<StoredRecommendation> = { _ in }
    ) async throws(RecommendationsError) -> StoredRecommendation {
        try await transaction("publishing a recommendation") { connection in
            let rows = try await connection.query(
                """
                UPDATE recommendations.items SET status = 'published', published_by = \(actor), published_at = now()
                WHERE id = \(id) AND pupil_token = \(pupil.rawValue) AND status = 'draft' RETURNING id, pupil_token, kind, subject, title, score, rank, reasons::text, text, status, school, region, generated_by, generated_at, edited_by, published_at
                """)
            if let row = rows.first {
                let item = try Self.recommendation(row)
                try await Self.call(record, item)
                return item
            }
            let current = try await connection.query(
                "SELECT id, pupil_token, kind, subject, title, score, rank, reasons::text, text, status, school, region, generated_by, generated_at, edited_by, published_at FROM recommendations.items WHERE id = \(id) AND pupil_token = \(pupil.rawValue)")
            guard let row = current.first else { throw RecommendationsError(.notFound, "no such recommendation of the pupil") }
            return try Self.recommendation(row)
        }
    }

    // MARK: Opportunities

    /// Adds an opportunity of `region`.
    ///
    /// - Throws: ``RecommendationsError/Code/invalidArgument``, ``RecommendationsError/Code/recordFailed``,
    ///   ``RecommendationsError/Code/storage``.
    public func addOpportunity(
        region: String, title: String, sphere: String, competencies: [String], startsAt: Date, endsAt: Date, link: String, by actor: String,
        record: Record<Opportunity> = { _ in }
    ) async throws(RecommendationsError) -> Opportunity {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...300).contains(title.count) else { throw RecommendationsError(.invalidArgument, "title must have 1 to 300 characters") }
        guard Self.isCode(sphere) else { throw RecommendationsError(.invalidArgument, "sphere must be a code like it") }
        guard competencies.count <= 64, competencies.allSatisfy(Self.isCode) else {
            throw RecommendationsError(.invalidArgument, "competencies must be at most 64 codes like programming")
        }
        guard startsAt <= endsAt else { throw RecommendationsError(.invalidArgument, "startsAt must not be after endsAt") }
        guard link.hasPrefix("https://"), link.count <= 2008, !link.contains(where: \.isWhitespace) else {
            throw RecommendationsError(.invalidArgument, "link must be an https:// address")
        }
        return try await transaction("adding an opportunity") { connection in
            let id = try await connection.query(
                """
                INSERT INTO recommendations.opportunities (region, title, sphere, competencies, starts_at, ends_at, link, created_by)
                VALUES (\(region), \(title), \(sphere), string_to_array(\(competencies.joined(separator: ",")), ','), \(startsAt), \(endsAt),
                        \(link), \(actor))
                RETURNING id
                """
            ).singleValue(Int64.self)
            let opportunity = Opportunity(
                id: id, region: region, title: title, sphere: sphere, competencies: competencies, startsAt: startsAt, endsAt: endsAt, link: link)
            try await Self.call(record, opportunity)
            return opportunity
        }
    }

    /// `region`'s opportunities still open at `now`, soonest first.
    ///
    /// - Throws: ``RecommendationsError/Code/storage``.
    public func opportunities(region: String, openAt now: Date) async throws(RecommendationsError) -> [Opportunity] {
        try await read("listing opportunities") {
            try await pool.query(
                """
                SELECT id, region, title, sphere, array_to_string(competencies, ','), starts_at, ends_at, link
                FROM recommendations.opportunities WHERE region = \(region) AND ends_at >= \(now) ORDER BY starts_at, id LIMIT 1000
                """
            ).map { row in
                Opportunity(
                    id: try row.decode(Int64.self, at: 0), region: try row.decode(String.self, at: 1), title: try row.decode(String.self, at: 2),
                    sphere: try row.decode(String.self, at: 3),
                    competencies: try row.decode(String.self, at: 4).split(separator: ",").map(String.init),
                    startsAt: try row.decode(Date.self, at: 5), endsAt: try row.decode(Date.self, at: 6), link: try row.decode(String.self, at: 7))
            }
        }
    }

    // MARK: Helpers

    static func isCode(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }

    static func encode(_ reasons: [Reason]) throws(RecommendationsError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(reasons), let text = String(data: data, encoding: .utf8) else {
            throw RecommendationsError(.invalidArgument, "reasons could not be encoded")
        }
        return text
    }

    static func recommendation(_ row: Row) throws(RecommendationsError) -> StoredRecommendation {
        do {
            guard let pupil = RecommendationsToken(try row.decode(String.self, at: 1)),
                  let kind = RecommendationKind(rawValue: try row.decode(String.self, at: 2)),
                  let status = StoredRecommendation.Status(rawValue: try row.decode(String.self, at: 9))
            else { throw RecommendationsError(.storage, "a stored recommendation is malformed") }
            let reasons = try JSONDecoder().decode([Reason].self, from: Data(try row.decode(String.self, at: 7).utf8))
            return StoredRecommendation(
                id: try row.decode(Int64.self, at: 0), pupil: pupil,
                ranked: RankedRecommendation(
                    kind: kind, subject: try row.decode(String.self, at: 3), title: try row.decode(String.self, at: 4),
                    score: try row.decode(Int.self, at: 5), rank: try row.decode(Int.self, at: 6), reasons: reasons,
                    text: try row.decode(String.self, at: 8)),
                status: status, school: try row.decode(String?.self, at: 10), region: try row.decode(String?.self, at: 11),
                generatedBy: try row.decode(String.self, at: 12), generatedAt: try row.decode(Date.self, at: 13),
                editedBy: try row.decode(String?.self, at: 14), publishedAt: try row.decode(Date?.self, at: 15))
        } catch let error as RecommendationsError {
            throw error
        } catch {
            throw RecommendationsError(.storage, "a stored recommendation could not be read")
        }
    }

    /// Runs `body` in a transaction, mapping every failure to a ``RecommendationsError``.
    func transaction<Result: Sendable>(
        _ what: String, _ body: nonisolated(nonsending) (PostgresConnection) async throws -> Result
    ) async throws(RecommendationsError) -> Result {
        do {
            return try await pool.withTransaction(body)
        } catch {
            throw Self.map(error, what)
        }
    }

    /// Runs a read, mapping every failure to a ``RecommendationsError``.
    func read<Result>(_ what: String, _ body: () async throws -> Result) async throws(RecommendationsError) -> Result {
        do {
            return try await body()
        } catch {
            throw Self.map(error, what)
        }
    }

    /// Calls the caller's record closure; its failure is ``RecommendationsError/Code/recordFailed``.
    static func call<Change>(_ record: Record<Change>, _ change: Change) async throws(RecommendationsError) {
        do {
            try await record(change)
        } catch {
            throw RecommendationsError(.recordFailed, "the record of the change could not be written")
        }
    }

    static func map(_ error: any Error, _ what: String) -> RecommendationsError {
        if let error = error as? RecommendationsError { return error }
        if let error = error as? PostgresError, error.sqlState == .checkViolation {
            return RecommendationsError(.invalidArgument, "the database refused a value (\(what))")
        }
        return RecommendationsError(.storage, "\(what) failed")
    }
}
