public import Foundation
public import Tokens

/// An action on personal data that a consent may allow (152-FZ art. 3 item 3).
public enum ProcessingAction: String, Sendable, Hashable, CaseIterable, Codable {
    case collection, recording, systematisation, accumulation, storage, clarification, extraction, use,
         transfer, depersonalisation, blocking, deletion, destruction
}

/// How a consent can be withdrawn (stated in the consent, 152-FZ art. 9 part 4 item 9).
public enum WithdrawalMethod: String, Sendable, Hashable, CaseIterable, Codable {
    /// A written notice handed to the school.
    case writtenNoticeToSchool = "written_notice_to_school"
    /// A written notice sent to the operator.
    case writtenNoticeToOperator = "written_notice_to_operator"
    /// The withdraw button in the personal account.
    case personalAccount = "personal_account"
}

/// The document proving a legal representative's authority.
public enum AuthorityDocument: String, Sendable, Hashable, CaseIterable, Codable {
    case birthCertificate = "birth_certificate"
    case guardianshipDecision = "guardianship_decision"
    case adoptionDecision = "adoption_decision"
    case powerOfAttorney = "power_of_attorney"
}

/// Who signed a consent.
public enum ConsentSignatory: Sendable, Hashable {
    /// The data subject personally (an adult, a staff member, a guardian for their own data).
    case subject
    /// A legal representative of a minor: a guardian subject registered for the pupil, whether a
    /// parent or another guardian, and the kind of document proving authority.
    case representative(SubjectToken, isParent: Bool, authority: AuthorityDocument)
}

/// How the consent was collected.
public enum ConsentCollection: String, Sendable, Hashable, Codable {
    /// Signed on paper; the school uploads the scan.
    case paper
    /// Given electronically (staff in their account).
    case electronic
}

/// The terms of a consent to processing (152-FZ art. 9 part 4): whose data, who signed, the
/// operator (from the vault's configuration), one purpose, the list of data, the actions, the
/// term, how to withdraw, the date.
///
/// Health data (a special category, art. 10) takes a consent of its own: a consent with
/// ``healthData`` set lists only special-category fields, and no other consent may list them.
public struct ConsentTerms: Sendable {
    /// The data subject.
    public var subject: SubjectToken
    public var signatory: ConsentSignatory
    /// For a pupil aged 14 to 17: the pupil signed as well (required from 14).
    public var subjectAlsoConsented: Bool
    /// One purpose of processing, as the policy schema names it.
    public var purpose: String
    /// The data the consent covers.
    public var dataFields: [FieldName]
    public var actions: [ProcessingAction]
    /// An explicit consent to processing health data.
    public var healthData: Bool
    public var validFrom: Date
    /// The end of the term; nil until withdrawn.
    public var validUntil: Date?
    public var withdrawalMethod: WithdrawalMethod
    /// The date on the signed form (or of the electronic consent).
    public var signedOn: Date
    public var collection: ConsentCollection
    /// The number written on a signed paper form (1 to 64 characters, no control characters). A
    /// paper consent with a number may be recorded before its scan is uploaded; one without needs
    /// the scan at once.
    public var paperReference: String?

    /// Creates consent terms.
    public init(
        subject: SubjectToken, signatory: ConsentSignatory, subjectAlsoConsented: Bool = false, purpose: String,
        dataFields: [FieldName], actions: [ProcessingAction], healthData: Bool = false, validFrom: Date,
        validUntil: Date?, withdrawalMethod: WithdrawalMethod, signedOn: Date, collection: ConsentCollection,
        paperReference: String? = nil
    ) {
        self.paperReference = paperReference
        self.subject = subject
        self.signatory = signatory
        self.subjectAlsoConsented = subjectAlsoConsented
        self.purpose = purpose
        self.dataFields = dataFields
        self.actions = actions
        self.healthData = healthData
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.withdrawalMethod = withdrawalMethod
        self.signedOn = signedOn
        self.collection = collection
    }
}

/// The scan of a signed paper consent, as the school uploads it.
public struct ConsentScan: Sendable {
    /// The declared type.
    public enum MediaType: String, Sendable, Hashable, Codable {
        case pdf = "application/pdf"
        case jpeg = "image/jpeg"
        case png = "image/png"
    }

    public var mediaType: MediaType
    /// The file's bytes.
    public var content: [UInt8]
    /// Where the signed original is kept (sealed like personal data, since it is free text).
    public var originalLocation: PersonalValue

    /// Creates a scan.
    public init(mediaType: MediaType, content: [UInt8], originalLocation: PersonalValue) {
        self.mediaType = mediaType
        self.content = content
        self.originalLocation = originalLocation
    }
}

/// The state of a consent.
public enum ConsentState: String, Sendable, Hashable, Codable {
    case active, expired, withdrawn
    /// Replaced by a later version of the same consent.
    case superseded
}

/// A consent record as the vault reports it: no personal data, only the terms, the state and
/// the scan's digest.
public struct ConsentRecord: Sendable, Hashable {
    public var token: ConsentToken
    /// The version within the consent's series (1 for a new consent); every version has a token of
    /// its own, and an amendment supersedes the active one.
    public var version: Int
    public var subject: SubjectToken
    public var representative: SubjectToken?
    /// `parent`, `guardian` or `self`.
    public var givenBy: String
    public var subjectAlsoConsented: Bool
    public var authorityDocument: AuthorityDocument?
    public var operatorIdentifier: String
    public var purpose: String
    public var dataFields: [FieldName]
    public var actions: [ProcessingAction]
    public var healthData: Bool
    public var validFrom: Date
    public var validUntil: Date?
    public var withdrawalMethod: WithdrawalMethod
    public var signedOn: String
    public var collection: ConsentCollection
    /// The state now: an active consent whose term has ended reads as expired.
    public var state: ConsentState
    public var recordedBy: String
    /// SHA-256 of the uploaded scan, if any.
    public var scanSHA256: [UInt8]?
}
