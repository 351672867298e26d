public import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
public import VaultDoor

/// Pupils: registration, card reads and corrections, search, duplicates, the activation code of a
/// pupil's own account (`/v1/pupils…`, `/v1/duplicates…`), behind a staff session.
///
/// Every route asks the vault through its door as the session's ``DoorCaller``; the vault decides,
/// checks consent and audits. Personal data never appears in a URL: searches are `POST` with a JSON
/// body, paths carry opaque tokens only. Another school's pupil answers exactly as an unknown token
/// does (`404 pupil-not-found`).
public enum PupilRoutes {
    /// The largest JSON body these routes read.
    static let bodyLimit = 64 * 1024

    static func add(
        to router: Router<BiletRequestContext>, door: VaultDoorClient, sessions: StaffSessions, accounts: PupilAccounts?
    ) {
        let pupils = router.group("/v1/pupils").add(middleware: StaffSessionMiddleware(sessions: sessions))
        pupils.post { request, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let body = try await JSONBody.decode(RegistrationBody.self, from: request, limit: bodyLimit)
            let form = PupilRegistrationForm(
                pupil: body.pupil.compactMapValues { $0 }, guardian: body.guardian.compactMapValues { $0 },
                consentNumber: body.consent.number, consentSignedOn: body.consent.signedOn,
                pupilAlsoSigned: body.consent.pupilSigned ?? false, otherPurposes: body.consent.purposes ?? [])
            guard case .pupils(.registered(let pupil, let guardian, let consent)) = try await DoorCalls.call(
                door, .pupils(.register(form), caller: caller))
            else { throw unexpected }
            return JSONBody.response(.created, RegisteredBody(token: pupil, guardian: guardian, consent: consent))
        }
        pupils.post("search") { request, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let body = try await JSONBody.decode(SearchBody.self, from: request, limit: bodyLimit)
            let search: PupilSearch
            switch (body.snils, body.surname, body.firstName, body.birthDate) {
            case (let snils?, nil, nil, nil): search = .snils(snils)
            case (nil, let surname?, let firstName?, let birthDate?): search = .name(surname: surname, firstName: firstName, birthDate: birthDate)
            default:
                throw Problem(
                    .badRequest, code: "malformed-request", title: "Search by snils, or by surname, first_name and birth_date.")
            }
            guard case .pupils(.found(let tokens)) = try await DoorCalls.call(door, .pupils(.search(search), caller: caller)) else {
                throw unexpected
            }
            return JSONBody.response(.ok, FoundBody(pupils: tokens.map { FoundBody.Pupil(token: $0) }))
        }
        pupils.get(":token") { request, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let token = try context.parameters.require("token")
            guard let purpose = request.uri.queryParameters["purpose"].map(String.init), !purpose.isEmpty else {
                throw Problem(.badRequest, code: "purpose-required", title: "Name the purpose of the read (?purpose=enrolment).")
            }
            let fields = request.uri.queryParameters["fields"].map { $0.split(separator: ",").map(String.init) } ?? []
            let citing = request.uri.queryParameters["request"].map(String.init)
            guard case .pupils(.card(let read, let values)) = try await DoorCalls.call(
                door, .pupils(.read(token: token, fields: fields, purpose: purpose, request: citing), caller: caller))
            else { throw unexpected }
            return JSONBody.response(.ok, CardBody(token: read, fields: values))
        }
        pupils.patch(":token") { request, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let token = try context.parameters.require("token")
            let body = try await JSONBody.decode(CorrectionBody.self, from: request, limit: bodyLimit)
            guard case .pupils(.corrected(let corrected, let updated)) = try await DoorCalls.call(
                door, .pupils(.correct(token: token, fields: body.fields), caller: caller))
            else { throw unexpected }
            return JSONBody.response(.ok, CorrectedBody(token: corrected, updated: updated))
        }
        if let accounts {
            pupils.post(":token/activation-code") { _, context -> Response in
                let session = try context.requireStaff()
                let issued = try await issueActivationCode(pupil: try context.parameters.require("token"), as: session, door: door, accounts: accounts)
                return JSONBody.response(
                    .created, ActivationBody(activationCode: issued.code.text, activationExpiresAt: ISO8601DateFormatter().string(from: issued.expiresAt)))
            }
        }

        let duplicates = router.group("/v1/duplicates").add(middleware: StaffSessionMiddleware(sessions: sessions))
        duplicates.get { _, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            guard case .pupils(.duplicates(let cases)) = try await DoorCalls.call(door, .pupils(.duplicates, caller: caller)) else {
                throw unexpected
            }
            return JSONBody.response(
                .ok,
                CasesBody(
                    cases: cases.map {
                        CasesBody.Case(case: $0.reference, schools: $0.schools, matchedOn: $0.matchedOn, openedAt: $0.openedAt)
                    }))
        }
        duplicates.post(":case/resolve") { request, context -> Response in
            let caller = try DoorCalls.caller(for: context)
            let reference = try context.parameters.require("case")
            let body = try await JSONBody.decode(ResolutionBody.self, from: request, limit: bodyLimit)
            guard case .pupils(.done) = try await DoorCalls.call(
                door, .pupils(.resolveDuplicate(reference: reference, decision: body.decision), caller: caller))
            else { throw unexpected }
            return Response(status: .noContent)
        }
    }

    /// Issues a new activation code of `pupil`'s own account as `session` (the old code dies): what
    /// `POST /v1/pupils/{token}/activation-code` and the school's pupil page run. The vault confirms
    /// first that the pupil is the caller's school's (audited; another school's or an unknown token
    /// is the same `404 pupil-not-found`), then the accounts issue the code (audited as
    /// `account.changed`). The code is returned once and never logged.
    ///
    /// - Throws: ``Problem`` (`403 forbidden` for a session without a region, the door's
    ///   refusals, `409 account-active` once the pupil has activated the account).
    public static func issueActivationCode(
        pupil token: String, as session: StaffSession, door: VaultDoorClient, accounts: PupilAccounts
    ) async throws -> IssuedActivationCode {
        guard let region = session.region else { throw DoorCalls.problem(forRefusal: "forbidden") }
        guard case .pupils(.done) = try await DoorCalls.call(
            door, .pupils(.confirmAccount(token: token), caller: DoorCalls.caller(for: session)))
        else { throw unexpected }
        do throws(AccountsError) {
            return try await accounts.issueActivationCode(pupil: token, school: session.organisation, region: region, actor: session.actor)
        } catch {
            throw error.problem
        }
    }

    /// The door answered with a message of another request: never expected; fail closed.
    static let unexpected = Problem.internalError

    // MARK: Bodies

    struct RegistrationBody: Decodable {
        struct Consent: Decodable {
            let number: String
            let signedOn: String
            let pupilSigned: Bool?
            /// Purposes the form covers besides enrolment (`self_service`, …).
            let purposes: [String]?
            enum CodingKeys: String, CodingKey {
                case number, purposes
                case signedOn = "signed_on"
                case pupilSigned = "pupil_signed"
            }
        }
        let pupil: [String: String?]
        let guardian: [String: String?]
        let consent: Consent
    }

    struct RegisteredBody: Encodable {
        let token: String
        let guardian: String
        let consent: String
    }

    struct SearchBody: Decodable {
        let snils: String?
        let surname: String?
        let firstName: String?
        let birthDate: String?
        enum CodingKeys: String, CodingKey {
            case snils, surname
            case firstName = "first_name"
            case birthDate = "birth_date"
        }
    }

    struct FoundBody: Encodable {
        struct Pupil: Encodable {
            let token: String
        }
        let pupils: [Pupil]
    }

    struct CardBody: Encodable {
        let token: String
        let fields: [String: String]
    }

    struct CorrectionBody: Decodable {
        let fields: [String: String]
    }

    struct CorrectedBody: Encodable {
        let token: String
        let updated: [String]
    }

    struct CasesBody: Encodable {
        struct Case: Encodable {
            let `case`: String
            let schools: [String]
            let matchedOn: String
            let openedAt: String
            enum CodingKeys: String, CodingKey {
                case `case`, schools
                case matchedOn = "matched_on"
                case openedAt = "opened_at"
            }
        }
        let cases: [Case]
    }

    struct ActivationBody: Encodable {
        let activationCode: String
        let activationExpiresAt: String
        enum CodingKeys: String, CodingKey {
            case activationCode = "activation_code"
            case activationExpiresAt = "activation_expires_at"
        }
    }

    struct ResolutionBody: Decodable {
        let decision: String
    }
}
