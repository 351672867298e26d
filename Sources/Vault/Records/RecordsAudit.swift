import Audit

/// The audit records a batch registration appends (`pii.written`, `consent.changed`), as typed
/// events (`Audit/Events/Kinds/`).
enum RecordsAudit {
    /// `pii.written` (`create`) for a new subject, permitted or refused.
    static func written(
        subject: String, requester: Requester, purpose: String, fields: [String], refusal: VaultError.Code? = nil
    ) -> PIIWritten {
        PIIWritten(
            actor: requester.actor, subject: subject, decision: refusal == nil ? .permit : .deny, purpose: purpose, fieldsWritten: fields,
            operation: .create)
    }

    /// `consent.changed` (`granted`) for a new consent of `purpose`.
    static func granted(consent: String, subject: String, purpose: String, givenBy: String, requester: Requester) -> ConsentChanged {
        ConsentChanged(actor: requester.actor, subject: subject, consent: consent, change: "granted", purposes: [purpose], givenBy: givenBy)
    }

    /// The records of a chunk of a batch registration: for each row, the pupil's and the guardian's
    /// `pii.written` and each consent's `consent.changed`.
    static func registration(_ chunk: ArraySlice<BatchRow>, requester: Requester) -> [any TypedAuditEvent] {
        var events: [any TypedAuditEvent] = []
        events.reserveCapacity(chunk.count * 3)
        for row in chunk {
            events.append(
                written(subject: row.pupilToken.rawValue, requester: requester, purpose: Vault.enrolmentPurpose, fields: row.pupilFieldNames))
            events.append(
                written(
                    subject: row.guardianToken.rawValue, requester: requester, purpose: Vault.consentPurpose,
                    fields: row.guardianFieldNames))
            for (purpose, consent) in row.consents {
                events.append(
                    granted(
                        consent: consent.rawValue, subject: row.pupilToken.rawValue, purpose: purpose,
                        givenBy: row.givenBy + (row.pupilAlsoConsented ? "_and_pupil" : ""), requester: requester))
            }
        }
        return events
    }
}

extension BatchRow {
    /// Who signed: a parent, or another legal representative.
    var givenBy: String { entry.guardianIsParent ? "parent" : "guardian" }
    /// The document proving the representative's authority.
    var authorityDocument: AuthorityDocument { entry.guardianIsParent ? .birthCertificate : .guardianshipDecision }
}
