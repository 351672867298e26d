import Foundation
import Audit
import Policy
import PostgreSQL
public import Tokens

/// A pupil's registration by their school, as the school's form gives it: the pupil's values, the
/// guardian who signed the paper consent, and that consent's number and date.
public struct PupilEnrolment: Sendable {
    /// The pupil's field values (surname, first name and birth date required).
    public var pupil: [FieldName: PersonalValue]
    /// The guardian's field values (name and relation required).
    public var guardian: [FieldName: PersonalValue]
    /// Whether the guardian is a parent (`parent`) rather than another legal representative.
    public var guardianIsParent: Bool
    /// The number written on the signed paper consent.
    public var consentNumber: String
    /// The date on the signed form, `YYYY-MM-DD` (not in the future).
    public var consentSignedOn: String
    /// For a pupil aged 14 to 17: the pupil signed the form as well (required from 14).
    public var pupilAlsoSigned: Bool
    /// The purposes the signed form consents to, `enrolment` first (one consent record each, all
    /// with the form's number): e.g. `self_service` for the pupil's own account, `assessment`.
    public var purposes: [String]

    /// Creates an enrolment.
    public init(
        pupil: [FieldName: PersonalValue], guardian: [FieldName: PersonalValue], guardianIsParent: Bool, consentNumber: String,
        consentSignedOn: String, pupilAlsoSigned: Bool, purposes: [String] = [Vault.enrolmentPurpose]
    ) {
        self.purposes = purposes
        self.pupil = pupil
        self.guardian = guardian
        self.guardianIsParent = guardianIsParent
        self.consentNumber = consentNumber
        self.consentSignedOn = consentSignedOn
        self.pupilAlsoSigned = pupilAlsoSigned
    }
}

/// What ``Vault/enrol(_:school:region:by:)`` returns.
public struct EnrolledPupil: Sendable, Hashable {
    /// The pupil's vault token and pairwise tokens.
    public var pupil: RegisteredSubject
    /// The guardian's vault token.
    public var guardian: SubjectToken
    /// The consent recorded for `enrolment`.
    public var consent: ConsentToken
    /// Every consent recorded, by purpose.
    public var consents: [String: ConsentToken]
}

extension Vault {
    /// The purpose pupils are registered, read and corrected for by their school.
    public static let enrolmentPurpose = "enrolment"

    /// The pupil fields the registration consent covers: every field but health data.
    public static let enrolmentConsentFields: [FieldName] = SubjectKind.pupil.fields.filter { !$0.isSpecialCategory }

    /// Registers a pupil of `school` (in `region`) with the guardian who signed the paper consent
    /// and that consent (for `enrolment` and each further purpose the form lists: every non-health
    /// field, from the day signed, until withdrawn), all in one transaction: either all are recorded
    /// or none.
    ///
    /// The policy decides `create` on the pupil (`enrolment`), the guardian and the consent
    /// (`consent_management`) before anything is written; a refusal is audited (`pii.written` or
    /// `policy.decided`, deny) and thrown. Duplicates are handled as ``register(_:by:purpose:)``
    /// says: the same school's match is refused (``VaultError/Code/duplicateSubject``), another
    /// school's is registered, flagged and sent to the region's coordinator, unseen by the caller.
    ///
    /// - Throws: ``VaultError/Code/policyDenied``, ``VaultError/Code/duplicateSubject``, the value
    ///   and consent codes (``VaultError/Code/invalidValue``, ``VaultError/Code/missingValue``,
    ///   ``VaultError/Code/unknownField``, ``VaultError/Code/invalidConsent``),
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func enrol(_ enrolment: PupilEnrolment, school: String, region: String, by requester: Requester) async throws(VaultError) -> EnrolledPupil {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: Self.enrolmentPurpose)
        guard enrolment.purposes.first == Self.enrolmentPurpose, Set(enrolment.purposes).count == enrolment.purposes.count,
              enrolment.purposes.count <= 8
        else {
            throw VaultError(.invalidConsent, reason: "the form's purposes start with enrolment and name each purpose once")
        }
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let now = clock.now
        // "Not in the future" in the school's own time zone: the latest local date anywhere in Russia.
        guard let day = CivilDate(iso: enrolment.consentSignedOn), day <= CivilDate(now.addingTimeInterval(14 * 3_600)) else {
            throw VaultError(.invalidValue, reason: "the consent's date is a past or present date, YYYY-MM-DD")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let signedOn = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: 12)) else {
            throw VaultError(.invalidValue, reason: "the consent's date is a past or present date, YYYY-MM-DD")
        }
        let policySet = policies.current
        let outcome: Result<EnrolledPupil, VaultError> = try await withTransaction { connection in
            // The guardian and the consent are decided first, so that a refusal comes before any write.
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let attributes: [String: Value] = [
                "school": .entity(EntityRef("school", school)), "region": .entity(EntityRef("region", region)),
                "pupil": .entity(EntityRef("pupil", "new")),
            ]
            let guardianFields = enrolment.guardian.keys.map(\.rawValue).sorted()
            let consentFields = ["scope", "status", "signed_on"]
            for (resource, fields) in [("guardian", guardianFields), ("consent", consentFields)] {
                if let refusal = try await guarded.permitOrAuditDenial(
                    "create", Resource(type: resource, id: "new", attributes: attributes), subject: nil, fields: fields,
                    purpose: Self.consentPurpose)
                {
                    return .failure(refusal)
                }
            }
            let pupil: RegisteredSubject
            switch try await self.registerSubject(
                .pupil(school: school, region: region, values: enrolment.pupil), purpose: Self.enrolmentPurpose, requester: requester,
                policySet: policySet, at: now, ring: ring, on: connection)
            {
            case .success(let registered): pupil = registered
            case .failure(let refusal): return .failure(refusal)
            }
            // From here a refusal cannot be returned with the pupil written: it is thrown, and the
            // whole registration rolls back (the decisions above make one unlikely).
            let guardian = try await self.registerSubject(
                .guardian(of: pupil.token, values: enrolment.guardian), purpose: Self.consentPurpose, requester: requester,
                policySet: policySet, at: now, ring: ring, on: connection
            ).get()
            var consents: [String: ConsentToken] = [:]
            for purpose in enrolment.purposes {
                let terms = ConsentTerms(
                    subject: pupil.token,
                    signatory: .representative(guardian.token, isParent: enrolment.guardianIsParent, authority: .birthCertificate),
                    subjectAlsoConsented: enrolment.pupilAlsoSigned, purpose: purpose, dataFields: Self.enrolmentConsentFields,
                    actions: [.collection, .recording, .systematisation, .accumulation, .storage, .clarification, .extraction, .use],
                    validFrom: min(signedOn, now), validUntil: nil, withdrawalMethod: .writtenNoticeToSchool,
                    signedOn: signedOn, collection: .paper, paperReference: enrolment.consentNumber)
                consents[purpose] = try await self.writeConsent(
                    terms, scan: nil, amending: nil, requester: requester, policySet: policySet, at: now, ring: ring, on: connection
                ).get().token
            }
            return .success(
                EnrolledPupil(pupil: pupil, guardian: guardian.token, consent: consents[Self.enrolmentPurpose]!, consents: consents))
        }
        return try outcome.get()
    }
}
