public import Foundation

/// A professional trial («профпроба») or a mass event at a venue.
public struct TrialEvent: Sendable, Hashable, Codable {
    /// What an event is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case trial
        case massEvent = "mass_event"
    }

    /// How an event is held.
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        case inPerson = "in_person"
        case online
    }

    /// Where an event stands: `draft` → `submitted` → `approved` or `returned` (with a reason); a
    /// returned event is edited and submitted again. Only approved events take enrolments.
    public enum Status: String, Sendable, Hashable, Codable, CaseIterable {
        case draft
        case submitted
        case approved
        case returned
    }

    public var id: Int64
    /// The venue's registry id (`77-0042`).
    public var venue: String
    /// The venue's region (`77`): whose coordinator decides on the event.
    public var region: String
    public var details: EventDetails
    public var status: Status
    /// Why the coordinator returned it (when `returned`).
    public var returnReason: String?
    /// How many pupils hold a seat.
    public var seated: Int

    /// Creates an event as stored.
    public init(
        id: Int64, venue: String, region: String, details: EventDetails, status: Status, returnReason: String?, seated: Int
    ) {
        self.id = id
        self.venue = venue
        self.region = region
        self.details = details
        self.status = status
        self.returnReason = returnReason
        self.seated = seated
    }
}

/// What a venue writes about an event: everything but its status.
public struct EventDetails: Sendable, Hashable, Codable {
    public var kind: TrialEvent.Kind
    public var title: String
    public var startsAt: Date
    public var endsAt: Date
    /// The venue's place it is held at.
    public var place: Int64
    /// The number of seats (at most the place's capacity).
    public var capacity: Int
    /// The professional sphere (an identifier: `it`, `engineering`, …).
    public var sphere: String
    /// Competency identifiers the event exercises.
    public var competencies: [String]
    public var format: TrialEvent.Format
    /// The mentor who runs it (`usr_…`, a registered mentor of the venue); may be set later.
    public var mentor: String?

    /// Creates the details.
    public init(
        kind: TrialEvent.Kind, title: String, startsAt: Date, endsAt: Date, place: Int64, capacity: Int, sphere: String,
        competencies: [String], format: TrialEvent.Format, mentor: String? = nil
    ) {
        self.kind = kind
        self.title = title
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.place = place
        self.capacity = capacity
        self.sphere = sphere
        self.competencies = competencies
        self.format = format
        self.mentor = mentor
    }

    /// The details, or the first problem, named by field.
    ///
    /// - Throws: ``TrialsError/Code/invalidArgument``.
    public func validated() throws(TrialsError) {
        let title = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty, title.count <= 300 else { throw TrialsError(.invalidArgument, "title must have 1 to 300 characters") }
        guard startsAt < endsAt else { throw TrialsError(.invalidArgument, "ends_at must be after starts_at") }
        // The mentor's window on pupils' names and the vault's enrolled_in facts last as long as
        // the event (plus 7 days), so an event cannot run for years.
        guard endsAt.timeIntervalSince(startsAt) <= Self.maximumDuration else {
            throw TrialsError(.invalidArgument, "an event lasts at most 31 days")
        }
        guard (1...100_000).contains(capacity) else { throw TrialsError(.invalidArgument, "capacity must be 1 to 100000") }
        guard Self.isIdentifier(sphere) else { throw TrialsError(.invalidArgument, "sphere must be an identifier") }
        guard competencies.count <= 64, competencies.allSatisfy(Self.isIdentifier), Set(competencies).count == competencies.count else {
            throw TrialsError(.invalidArgument, "competencies must be at most 64 distinct identifiers")
        }
    }

    /// The longest event: 31 days.
    public static let maximumDuration: TimeInterval = 31 * 86_400

    /// `[a-z0-9_]{1,64}`.
    public static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
    }
}
