public import Foundation
public import Tokens

/// One event's signal for a pupil's digital footprint, by trials token: the event's sphere and
/// competencies, whether the pupil attended and the grade. The recommendations side combines
/// these with the other modules' signals (through the vault's translation).
public struct TrialSignal: Sendable, Hashable {
    public var pupil: TrialsToken
    public var event: Int64
    public var kind: TrialEvent.Kind
    public var sphere: String
    public var competencies: [String]
    /// Nil until the mentor marks the pupil.
    public var attended: Bool?
    public var grade: Int?
    public var endsAt: Date

    /// Creates a signal.
    public init(
        pupil: TrialsToken, event: Int64, kind: TrialEvent.Kind, sphere: String, competencies: [String], attended: Bool?, grade: Int?,
        endsAt: Date
    ) {
        self.pupil = pupil
        self.event = event
        self.kind = kind
        self.sphere = sphere
        self.competencies = competencies
        self.attended = attended
        self.grade = grade
        self.endsAt = endsAt
    }
}
