import Foundation
import Tokens
import Vault
import VaultDoor

/// Answers the door's ``PupilDoorRequest``s in the vault process, as the verified ``DoorCaller``'s
/// requester (``Requester/init(caller:schema:)``). Every decision, consent check and audit record
/// is the vault's; this only translates the door's messages and folds refusals into the codes the
/// gateway may see (``DoorRefusals``).
enum PupilDoorHandler {
    /// The fields a card read returns when none are named: the day-to-day fields a school reads
    /// for `enrolment` (no SNILS, no health data).
    static let cardFields: [FieldName] = [
        .surname, .firstName, .patronymic, .birthDate, .sex, .region, .municipality, .school, .grade, .schoolClass, .email, .phone,
    ]
    /// Relations that make the guardian a parent (rather than another legal representative).
    static let parentRelations: Set<String> = ["mother", "father", "parent", "мать", "отец", "родитель"]
    /// The most fields or search values a request may carry.
    static let maximumFields = 32
    /// Fields a school's form or correction may not give: the pupil's school and region are the
    /// caller's (the subject's organisation, which decides every access), never a value the
    /// client types, which could contradict them on the card (`unknown-field`).
    static let callerFields: Set<String> = [FieldName.school.rawValue, FieldName.region.rawValue]

    static func answer(_ request: PupilDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        let requester: Requester
        do {
            requester = try Requester(caller: caller, schema: vault.policies.current.schema)
        } catch {
            return .refused(code: "forbidden")
        }
        do throws(VaultError) {
            switch request {
            case .register(let form):
                return try await register(form, caller: caller, requester: requester, vault: vault)
            case .read(let token, let fields, let purpose, let request):
                return try await read(token, fields: fields, purpose: purpose, request: request, requester: requester, vault: vault)
            case .correct(let token, let fields):
                return try await correct(token, fields: fields, requester: requester, vault: vault)
            case .search(let search):
                return try await find(search, requester: requester, vault: vault)
            case .duplicates:
                let cases = try await vault.duplicateCases(by: requester)
                return .pupils(
                    .duplicates(
                        cases.map {
                            DuplicateCaseSummary(
                                reference: $0.reference.rawValue, schools: $0.schools, matchedOn: $0.matchedOn,
                                openedAt: $0.openedAt.ISO8601Format())
                        }))
            case .resolveDuplicate(let reference, let decision):
                guard let resolution = DuplicateResolution(rawValue: decision) else { return .refused(code: "invalid-request") }
                guard let token = try? DuplicateCaseToken(parsing: reference) else { return .refused(code: "case-not-found") }
                try await vault.resolveDuplicateCase(token, as: resolution, by: requester)
                return .pupils(.done)
            case .confirmAccount(let token):
                guard let subject = try? SubjectToken(parsing: token) else { return .refused(code: "pupil-not-found") }
                try await vault.confirmPupilAccount(subject, by: requester)
                return .pupils(.done)
            }
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: scope(of: request)))
        }
    }

    /// What a request names, for collapsing refusals (``DoorRefusals/code(for:about:)``). The
    /// field names of a read or correction are checked as a pupil's before the vault looks the
    /// token up: an unknown field then means the token is not a pupil's (a guardian's), which must
    /// answer as an unknown token does, whichever school the guardian is of.
    static func scope(of request: PupilDoorRequest) -> DoorRefusals.Scope {
        switch request {
        case .read, .correct: .pupilFields
        case .confirmAccount: .pupil
        case .resolveDuplicate: .duplicateCase
        case .duplicates, .register, .search: .school
        }
    }

    private static func register(
        _ form: PupilRegistrationForm, caller: DoorCaller, requester: Requester, vault: Vault
    ) async throws(VaultError) -> VaultDoorResponse {
        // A caller of no school registers into no school (the empty id, which names none): the
        // vault's policy still decides, so its refusal is audited like every other, rather than
        // refused here unseen.
        let school = caller.organisationKind == "school" ? caller.organisationID ?? "" : ""
        let region = caller.region ?? ""
        guard form.pupil.count <= maximumFields, form.guardian.count <= maximumFields else { return .refused(code: "invalid-request") }
        guard callerFields.isDisjoint(with: form.pupil.keys) else { return .refused(code: "unknown-field") }
        var pupil: [FieldName: PersonalValue] = [:]
        for (name, value) in form.pupil { pupil[FieldName(rawValue: name)] = PersonalValue(value) }
        var guardian: [FieldName: PersonalValue] = [:]
        let name = ["surname", "first_name", "patronymic"].compactMap { form.guardian[$0]?.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
        if !name.isEmpty { guardian[.name] = PersonalValue(name) }
        for key in ["relation", "phone", "email"] {
            if let value = form.guardian[key] { guardian[FieldName(rawValue: key)] = PersonalValue(value) }
        }
        guard Set(form.guardian.keys).isSubset(of: ["surname", "first_name", "patronymic", "relation", "phone", "email"]) else {
            return .refused(code: "unknown-field")
        }
        let relation = form.guardian["relation"]?.lowercased() ?? ""
        let enrolled = try await vault.enrol(
            PupilEnrolment(
                pupil: pupil, guardian: guardian, guardianIsParent: parentRelations.contains(relation),
                consentNumber: form.consentNumber, consentSignedOn: form.consentSignedOn, pupilAlsoSigned: form.pupilAlsoSigned,
                purposes: [Vault.enrolmentPurpose] + form.otherPurposes),
            school: school, region: region, by: requester)
        return .pupils(
            .registered(pupil: enrolled.pupil.token.rawValue, guardian: enrolled.guardian.rawValue, consent: enrolled.consent.rawValue))
    }

    private static func read(
        _ token: String, fields names: [String], purpose: String, request: String?, requester: Requester, vault: Vault
    ) async throws(VaultError) -> VaultDoorResponse {
        guard let subject = try? SubjectToken(parsing: token) else { return .refused(code: "pupil-not-found") }
        guard names.count <= maximumFields, Set(names).count == names.count else { return .refused(code: "invalid-request") }
        let fields = names.isEmpty ? cardFields : names.map(FieldName.init(rawValue:))
        // Field names are checked before the vault looks the token up, so a bad name cannot tell
        // another school's pupil (or a guardian's token) from an unknown token.
        guard fields.allSatisfy(SubjectKind.pupil.fields.contains) else { return .refused(code: "unknown-field") }
        var citing: AccessRequestToken?
        if let request {
            guard let parsed = try? AccessRequestToken(parsing: request) else { return .refused(code: "request-not-found") }
            citing = parsed
        }
        let data = try await vault.read(.subject(subject), fields: fields, purpose: purpose, request: citing, by: requester)
        var released: [String: String] = [:]
        for (field, value) in data.fields {
            if let text = value.releasedValue?.exposedText { released[field.rawValue] = text }
        }
        return .pupils(.card(token: subject.rawValue, fields: released))
    }

    private static func correct(
        _ token: String, fields: [String: String], requester: Requester, vault: Vault
    ) async throws(VaultError) -> VaultDoorResponse {
        guard let subject = try? SubjectToken(parsing: token) else { return .refused(code: "pupil-not-found") }
        guard !fields.isEmpty, fields.count <= maximumFields else { return .refused(code: "invalid-request") }
        guard fields.keys.allSatisfy({ SubjectKind.pupil.fields.contains(FieldName(rawValue: $0)) }), callerFields.isDisjoint(with: fields.keys)
        else {
            return .refused(code: "unknown-field")
        }
        var values: [FieldName: PersonalValue] = [:]
        for (name, value) in fields { values[FieldName(rawValue: name)] = PersonalValue(value) }
        try await vault.write(subject, values: values, purpose: Vault.enrolmentPurpose, by: requester)
        return .pupils(.corrected(token: subject.rawValue, fields: fields.keys.sorted()))
    }

    private static func find(_ search: PupilSearch, requester: Requester, vault: Vault) async throws(VaultError) -> VaultDoorResponse {
        let found: [SubjectToken]
        switch search {
        case .snils(let snils):
            found = try await vault.findPupils(snils: PersonalValue(snils), purpose: Vault.enrolmentPurpose, by: requester)
        case .name(let surname, let firstName, let birthDate):
            found = try await vault.findPupils(
                surname: PersonalValue(surname), firstName: PersonalValue(firstName), birthDate: PersonalValue(birthDate),
                purpose: Vault.enrolmentPurpose, by: requester)
        }
        return .pupils(.found(found.map(\.rawValue)))
    }
}
