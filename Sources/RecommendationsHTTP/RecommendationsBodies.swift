import Audit
import Foundation
import Recommendations

/// A recommendation as the routes answer it: what, its rank, the reasons as data and the text.
struct RecommendationAnswer: Codable, Sendable {
    var id: Int64
    var kind: String
    var subject: String
    var title: String
    var score: Int
    var rank: Int
    var reasons: [Reason]
    var text: String
    var status: String
    var publishedAt: Date?

    init(_ item: StoredRecommendation) {
        id = item.id
        kind = item.ranked.kind.rawValue
        subject = item.ranked.subject
        title = item.ranked.title
        score = item.ranked.score
        rank = item.ranked.rank
        reasons = item.ranked.reasons
        text = item.ranked.text
        status = item.status.rawValue
        publishedAt = item.publishedAt
    }
}

/// A list of recommendations.
struct RecommendationListAnswer: Codable, Sendable {
    var recommendations: [RecommendationAnswer]
}

/// `PUT …/items/{id}`: the navigator's text.
struct EditBody: Codable, Sendable {
    var text: String
}

/// `POST /v1/recommendations/opportunities`.
struct OpportunityBody: Codable, Sendable {
    var title: String
    var sphere: String
    var competencies: [String]?
    /// ISO 8601.
    var startsAt: String
    /// ISO 8601.
    var endsAt: String
    var link: String

    /// The two times, or `400 invalid-recommendation`.
    func window() throws(RecommendationsError) -> (Date, Date) {
        guard let start = AuditTime.parse(startsAt), let end = AuditTime.parse(endsAt) else {
            throw RecommendationsError(.invalidArgument, "startsAt and endsAt are ISO 8601 times")
        }
        return (start, end)
    }
}

/// An opportunity as the routes answer it.
struct OpportunityAnswer: Codable, Sendable {
    var id: Int64
    var region: String
    var title: String
    var sphere: String
    var competencies: [String]
    var startsAt: Date
    var endsAt: Date
    var link: String

    init(_ opportunity: Opportunity) {
        id = opportunity.id
        region = opportunity.region
        title = opportunity.title
        sphere = opportunity.sphere
        competencies = opportunity.competencies
        startsAt = opportunity.startsAt
        endsAt = opportunity.endsAt
        link = opportunity.link
    }
}

/// A list of opportunities.
struct OpportunityListAnswer: Codable, Sendable {
    var opportunities: [OpportunityAnswer]
}
