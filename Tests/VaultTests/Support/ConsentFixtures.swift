import Foundation
import Tokens
@testable import Vault

/// Synthetic consent forms and scans.
enum ConsentFixtures {
    /// A minimal well-formed PDF.
    static let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    /// A minimal JPEG frame (SOI, APP0, EOI).
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0x00, 0xFF, 0xD9]

    static func scan(_ seed: Int = 0) -> ConsentScan {
        ConsentScan(mediaType: .pdf, content: pdf, originalLocation: PersonalValue("архив школы, папка \(Synthetic.marker(seed))"))
    }

    static let day: TimeInterval = 86_400
    static let enrolmentFields: [FieldName] = SubjectKind.pupil.fields.filter { !$0.isSpecialCategory }

    /// A parent's paper consent for `pupil` and `purpose`.
    static func parental(
        pupil: SubjectToken, guardian: SubjectToken, purpose: String = "enrolment", fields: [FieldName]? = nil,
        health: Bool = false, pupilAlso: Bool = false, now: Date = Date(), validFor days: Double? = 365
    ) -> ConsentTerms {
        ConsentTerms(
            subject: pupil, signatory: .representative(guardian, isParent: true, authority: .birthCertificate),
            subjectAlsoConsented: pupilAlso, purpose: purpose, dataFields: fields ?? (health ? [.disabilityStatus] : enrolmentFields),
            actions: [.collection, .recording, .storage, .use], healthData: health, validFrom: now.addingTimeInterval(-day),
            validUntil: days.map { now.addingTimeInterval($0 * day) }, withdrawalMethod: .writtenNoticeToSchool,
            signedOn: now.addingTimeInterval(-day), collection: .paper)
    }

    /// A pupil born `age` years and a few days before now (so the age is exact at signing).
    static func birthDate(age: Int, now: Date = Date()) -> String {
        let today = CivilDate(now.addingTimeInterval(-30 * day))
        return CivilDate(year: today.year - age, month: today.month, day: min(today.day, 28)).iso
    }
}
