import Foundation

/// The JSON array `audit.append_batch` takes: one object per event with its top-level attributes
/// and its payload as the same compact JSON text a single append sends.
struct BatchEnvelope: Encodable {
    let kind: String
    let actor: String
    let subject: String?
    let decision: String?
    let purpose: String?
    let payload: String

    /// Validates every event against `catalogue` (the first one that fails refuses the batch) and
    /// returns the array as JSON text.
    ///
    /// - Throws: ``AuditError/Code/invalidEvent`` with the event's index in the batch.
    static func encode(_ events: [AuditEvent], against catalogue: AuditCatalogue) throws(AuditError) -> String {
        var envelopes: [BatchEnvelope] = []
        envelopes.reserveCapacity(events.count)
        for (index, event) in events.enumerated() {
            let payload: String
            do {
                payload = try AuditLog.checkedSize(try event.validated(against: catalogue))
            } catch {
                throw AuditError(error.code, "event \(index) of \(events.count): \(error.reason)")
            }
            envelopes.append(
                BatchEnvelope(
                    kind: event.type, actor: event.actor, subject: event.subject, decision: event.decision, purpose: event.purpose,
                    payload: payload))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Strings and optional strings always encode.
        return String(decoding: try! encoder.encode(envelopes), as: UTF8.self)
    }
}
