import Foundation
import Testing
import ServeTestSupport

/// Issue 10's first required test, for what exists so far: one real `bilet serve` (development
/// PKI, migrated database, initialised vault), accounts bootstrapped with `bilet accounts add` and
/// the rest made over HTTP exactly as docs/WALKTHROUGH.md does it, then a role × action matrix:
/// every role's allowed actions succeed, and the same action by every other role is refused with
/// the exact status and code, and each refusal is in the audit log (read back by the compliance
/// officer over `/v1/audit/entries`).
///
/// A row of ``SchoolDoorEndToEndTests/actions(spare:)`` is one action: who may do it, what the
/// others get, what the audit log must hold for each refusal. The rows cover the organisation
/// registry, staff administration (creating, listing, disabling from the own organisation and from
/// above, re-issuing codes), the audit log, and pupils through the vault's door: school 77-0001
/// registers, reads, corrects and finds its pupil; every other role, school 77-0002 among them, is
/// answered on that pupil's token exactly as on a token never issued; the duplicate register, which
/// region 77's coordinator alone lists and resolves. After the matrix, a whole-database `pg_dump`
/// holds none of the synthetic pupils' surnames, SNILS or phones (SchoolDoorEndToEndTests+Dump.swift).
///
/// Starts a real `bilet serve`: runs in the serial pass of scripts/test.
@Suite("School door end to end (real bilet serve)", .serialized)
struct SchoolDoorEndToEndTests {
    /// The staff roles of the school door, each with its development login and the dev-setup
    /// workstation certificate it signs in on; and a second school (77-0002, role `school`), the
    /// one that must not tell school 77-0001's pupils from pupils that do not exist.
    enum Role: String, CaseIterable, CustomStringConvertible {
        case operator_ = "operator", regionalCoordinator = "regional_coordinator", school, venue, navigator, mentor, methodologist
        case complianceOfficer = "compliance_officer", securityAdmin = "security_admin"
        case otherSchool = "school@77-0002"

        var description: String { rawValue }

        /// The staff role of the account.
        var staffRole: String { self == .otherSchool ? "school" : rawValue }

        /// The login of the role's development account.
        var login: String {
            switch self {
            case .operator_: "operator.one"
            case .regionalCoordinator: "coordinator.77"
            case .school: "school.one"
            case .otherSchool: "school.two"
            case .venue: "venue.one"
            case .navigator: "navigator.one"
            case .mentor: "mentor.one"
            case .methodologist: "methodologist.one"
            case .complianceOfficer: "officer.one"
            case .securityAdmin: "security.one"
            }
        }

        /// The file name (certs/dev/clients/<name>.pem) of the workstation the role works at.
        var workstation: String {
            switch self {
            case .operator_, .methodologist, .complianceOfficer, .securityAdmin: "operator"
            case .regionalCoordinator: "region"
            case .school, .navigator: "workstation"
            case .otherSchool: "school-b"
            case .venue, .mentor: "venue"
            }
        }
    }

    /// One HTTP request of an action.
    struct Call {
        let method: String
        let path: String
        var json: String?
    }

    /// What each refusal must leave in the audit log: an event of `type` by the refused account,
    /// decision `deny`, with these `fields` (e.g. action and resource of `policy.decided`).
    struct Audited: Hashable {
        let type: String
        let fields: [String: String]
    }

    /// One row of the matrix.
    struct Action {
        let name: String
        /// The roles that may do it; every other role is refused.
        let allowed: Set<Role>
        /// The status of a success.
        let success: String
        /// The exact status and problem code of every refusal (an empty code: the refusal is not a
        /// problem document but ``refusalBody``, say a search that finds nothing).
        let refusal: (status: String, code: String)
        /// The exact body of every refusal, when it is not a problem document.
        var refusalBody: String? = nil
        /// What each refusal leaves in the audit log.
        let audited: Audited
        /// Further records each refusal leaves (a refused search also records the probe as a refused read).
        var alsoAudited: [Audited] = []
        /// The request `role` sends.
        let call: (Role) -> Call
        /// A request that undoes a success (re-enabling a disabled account), expected to answer 204.
        var undo: ((Role) -> Call)? = nil
        /// Roles refused otherwise than ``refusal`` (say school 77-0002 answered `404` on school
        /// 77-0001's pupil), with what they leave in the audit log (nil: nothing; a gap the report names).
        var refusedAs: [Role: (status: String, code: String, audited: Audited?)] = [:]
        /// Roles whose refusal must be byte for byte the answer to another request (an unknown
        /// token's), so that nothing tells the two apart, and what that other request leaves in the
        /// audit log (nil: nothing under the role's account).
        var sameAnswerAs: (roles: Set<Role>, call: (Role) -> Call, audited: Audited?)? = nil
        /// Allowed roles whose answer must be exactly this body (school 77-0002's empty search).
        var bodies: [Role: String] = [:]
    }

    /// The running platform and the signed-in roles.
    final class Door {
        let run: ServeCommandTests.GatewayRun
        let workstations: Int
        let pupils: Int
        var tokens: [Role: String] = [:]
        var accounts: [Role: String] = [:]
        /// Refusals expected in the audit log: actor → event → how many.
        var expectedRefusals: [String: [Audited: Int]] = [:]

        init(run: ServeCommandTests.GatewayRun, workstations: Int, pupils: Int) {
            self.run = run
            self.workstations = workstations
            self.pupils = pupils
        }

        /// `call` by `role`, on its workstation with its session.
        func send(_ call: Call, as role: Role) throws -> (http: String, body: String) {
            try send(call, workstation: role.workstation, token: tokens[role])
        }

        /// `call` on `workstation` (nil: none, the pupils' listener) with `token`.
        func send(_ call: Call, workstation: String?, token: String?) throws -> (http: String, body: String) {
            try run.call(
                port: workstation == nil ? pupils : workstations, client: workstation, token: token, call.path, method: call.method,
                type: call.json.map { _ in "application/json" }, body: call.json)
        }
    }

    static func object(_ body: String) -> [String: Any] { ServeCommandTests.json(body) }

    static let password = ServeCommandTests.GatewayRun.password
    /// Synthetic, check digits valid.
    static let inn = "7700000016"
    static let ogrn = "1027700000008"

    static func registration(kind: String, id: String, region: String) -> Call {
        Call(
            method: "POST", path: "/v1/organisations",
            json: """
                {"kind":"\(kind)","id":"\(id)","region":"\(region)","name":"Тестовая организация \(id)",\
                "address":"г. Тестов, ул. Примерная, 1","inn":"\(inn)","ogrn":"\(ogrn)",\
                "agreement":{"number":"ДОП-\(id)","signed_on":"2026-09-01","signatory":"Тестова Анна"}}
                """)
    }

    /// A synthetic pupil of school `surname`, her guardian and the signed consent.
    static let snils = "112-233-445 95"
    /// A well-formed subject token (16 zero bytes) that was never issued.
    static let unknownPupil = "sub_" + String(repeating: "A", count: 22)
    /// A well-formed duplicate case reference that was never issued.
    static let unknownCase = "dup_" + String(repeating: "A", count: 22)

    static func pupilForm(surname: String, snils: String?) -> Call {
        let number = snils.map { #","snils":"\#($0)""# } ?? ""
        return Call(
            method: "POST", path: "/v1/pupils",
            json: #"""
                {"pupil":{"surname":"\#(surname)","first_name":"Анна","birth_date":"2011-04-02","grade":"9","class":"Б"\#(number)},
                 "guardian":{"surname":"\#(surname)","first_name":"Мария","relation":"mother","phone":"+7 900 000-00-01"},
                 "consent":{"number":"17/2025","signed_on":"2025-09-01","pupil_signed":true}}
                """#)
    }

    static func newAccount(_ login: String, role: String, organisation: String?) -> Call {
        let organisation = organisation.map { #","organisation":"\#($0)""# } ?? ""
        return Call(method: "POST", path: "/v1/staff", json: #"{"login":"\#(login)","role":"\#(role)"\#(organisation)}"#)
    }

    /// The matrix. `spare` holds accounts made for the rows that change accounts: a pending
    /// navigator of school 77-0001 and a pending coordinator of region 77.
    static func actions(spare: [String: String]) -> [Action] {
        let forbidden = (status: "403", code: "forbidden")
        let noAccount = (status: "404", code: "account-not-found")
        func policy(_ action: String, _ resource: String) -> Audited {
            Audited(type: "policy.decided", fields: ["action": action, "resource": resource])
        }
        let notFound = (status: "404", code: "pupil-not-found")
        let pupilDenied = Audited(type: "pii.read", fields: [:])
        let pupilWriteDenied = Audited(type: "pii.written", fields: [:])
        let unknownAudited: Audited? = Audited(type: "pii.read", fields: [:])
        let unknownWriteAudited: Audited? = Audited(type: "pii.written", fields: [:])
        let pupil = spare["pupil"] ?? "sub_missing"
        let navigator = spare["navigator"] ?? "usr_missing"
        let coordinator = spare["coordinator"] ?? "usr_missing"
        let duplicateCase = spare["case"] ?? "dup_missing"
        return [
            Action(
                name: "register a region", allowed: [.operator_], success: "201", refusal: forbidden,
                audited: policy("create", "organisation_profile"),
                call: { _ in registration(kind: "region", id: "50", region: "50") }),
            Action(
                name: "register a school of region 77", allowed: [.regionalCoordinator], success: "201", refusal: forbidden,
                audited: policy("create", "organisation_profile"),
                call: { _ in registration(kind: "school", id: "77-0003", region: "77") }),
            Action(
                name: "list organisations", allowed: [.operator_, .regionalCoordinator, .school, .otherSchool, .venue], success: "200",
                refusal: forbidden, audited: policy("read", "organisation_profile"),
                call: { _ in Call(method: "GET", path: "/v1/organisations") }),
            Action(
                name: "read school 77-0001", allowed: [.operator_, .regionalCoordinator, .school], success: "200",
                refusal: forbidden, audited: policy("read", "organisation_profile"),
                call: { _ in Call(method: "GET", path: "/v1/organisations/school/77-0001") }),
            Action(
                name: "update school 77-0001's profile", allowed: [.operator_, .regionalCoordinator, .school], success: "200",
                refusal: forbidden, audited: policy("update", "organisation_profile"),
                call: { role in
                    Call(
                        method: "PUT", path: "/v1/organisations/school/77-0001/profile",
                        json: #"{"name":"Тестовая школа 77-0001","address":"г. Тестов, ул. Школьная, 1","profile":"updated by \#(role)"}"#)
                }),
            Action(
                name: "create a coordinator's account", allowed: [.operator_], success: "201", refusal: forbidden,
                audited: policy("create", "staff"),
                call: { role in newAccount("coordinator.by-\(role.rawValue)", role: "regional_coordinator", organisation: "region/77") }),
            Action(
                name: "create a school's account", allowed: [.regionalCoordinator, .school], success: "201", refusal: forbidden,
                audited: policy("create", "staff"),
                call: { role in newAccount("school.by-\(role.rawValue)", role: "school", organisation: "school/77-0001") }),
            Action(
                name: "create a navigator's account", allowed: [.school], success: "201", refusal: forbidden,
                audited: policy("create", "staff"),
                call: { role in newAccount("navigator.by-\(role.rawValue)", role: "navigator", organisation: "school/77-0001") }),
            Action(
                name: "create a mentor's account", allowed: [.venue], success: "201", refusal: forbidden,
                audited: policy("create", "staff"),
                call: { role in newAccount("mentor.by-\(role.rawValue)", role: "mentor", organisation: "venue/77-0042") }),
            Action(
                name: "list the organisation's staff", allowed: [.school, .otherSchool, .venue], success: "200", refusal: forbidden,
                audited: policy("read", "staff"),
                call: { _ in Call(method: "GET", path: "/v1/staff") }),
            Action(
                name: "disable (and re-enable) a navigator of school 77-0001", allowed: [.school, .regionalCoordinator],
                success: "204", refusal: noAccount, audited: policy("update", "staff"),
                call: { _ in Call(method: "POST", path: "/v1/staff/\(navigator)/disable") },
                undo: { _ in Call(method: "POST", path: "/v1/staff/\(navigator)/enable") }),
            Action(
                name: "disable (and re-enable) a coordinator of region 77", allowed: [.operator_], success: "204",
                refusal: noAccount, audited: policy("update", "staff"),
                call: { _ in Call(method: "POST", path: "/v1/staff/\(coordinator)/disable") },
                undo: { _ in Call(method: "POST", path: "/v1/staff/\(coordinator)/enable") }),
            Action(
                name: "re-issue a pending navigator's activation code", allowed: [.school], success: "201", refusal: noAccount,
                audited: policy("update", "staff"),
                call: { _ in Call(method: "POST", path: "/v1/staff/\(navigator)/activation-code") }),
            Action(
                name: "read the audit log", allowed: [.complianceOfficer], success: "200", refusal: forbidden,
                audited: policy("read", "audit_log"),
                call: { _ in Call(method: "GET", path: "/v1/audit/entries?type=organisation.changed") }),
            // Pupils (H1's routes through the vault's door): school 77-0001 registers, reads, corrects
            // and finds its pupil; everyone else, school 77-0002 first, gets what an unknown token gets.
            Action(
                name: "register a pupil", allowed: [.school, .otherSchool], success: "201", refusal: forbidden,
                audited: policy("create", "guardian"),
                // Every other role, whether its organisation is a school (the navigator) or not (the
                // operator, a coordinator, a venue …), is refused by the vault's policy, audited.
                call: { role in pupilForm(surname: "Тестов-\(role.login)", snils: nil) }),
            Action(
                name: "read school 77-0001's pupil", allowed: [.school], success: "200", refusal: notFound,
                audited: pupilDenied,
                call: { _ in Call(method: "GET", path: "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname,grade") },
                sameAnswerAs: (
                    Set(Role.allCases).subtracting([.school]),
                    { _ in Call(method: "GET", path: "/v1/pupils/\(unknownPupil)?purpose=enrolment&fields=surname,grade") }, unknownAudited),
                bodies: [.school: #"{"fields":{"grade":"9","surname":"Тестова"},"token":"\#(pupil)"}"#]),
            Action(
                name: "correct school 77-0001's pupil", allowed: [.school], success: "200", refusal: notFound,
                audited: pupilWriteDenied,
                call: { _ in Call(method: "PATCH", path: "/v1/pupils/\(pupil)", json: #"{"fields":{"grade":"9"}}"#) },
                sameAnswerAs: (
                    Set(Role.allCases).subtracting([.school]),
                    { _ in Call(method: "PATCH", path: "/v1/pupils/\(unknownPupil)", json: #"{"fields":{"grade":"9"}}"#) }, unknownWriteAudited)),
            // The duplicate register: school 77-0002 registered a namesake of school 77-0001's pupil
            // (same name and birth date); region 77's coordinator alone lists and resolves the case,
            // everyone else is refused, audited, and on resolving answered as on a case never opened.
            Action(
                name: "list region 77's duplicate cases", allowed: [.regionalCoordinator], success: "200", refusal: forbidden,
                audited: Audited(type: "duplicate.handled", fields: [:]),
                call: { _ in Call(method: "GET", path: "/v1/duplicates") },
                bodies: [.regionalCoordinator: spare["cases"] ?? "no case listed"]),
            Action(
                name: "resolve the case of school 77-0001's pupil", allowed: [.regionalCoordinator], success: "204",
                refusal: (status: "404", code: "case-not-found"), audited: Audited(type: "duplicate.handled", fields: [:]),
                call: { _ in Call(method: "POST", path: "/v1/duplicates/\(duplicateCase)/resolve", json: #"{"decision":"different"}"#) },
                sameAnswerAs: (
                    Set(Role.allCases).subtracting([.regionalCoordinator]),
                    { _ in Call(method: "POST", path: "/v1/duplicates/\(unknownCase)/resolve", json: #"{"decision":"different"}"#) },
                    Audited(type: "duplicate.handled", fields: [:]))),
            Action(
                name: "find school 77-0001's pupil by SNILS", allowed: [.school], success: "200", refusal: (status: "200", code: ""),
                refusalBody: #"{"pupils":[]}"#, audited: Audited(type: "pii.searched", fields: [:]), alsoAudited: [pupilDenied],
                call: { _ in Call(method: "POST", path: "/v1/pupils/search", json: #"{"snils":"\#(snils)"}"#) },
                bodies: [.school: #"{"pupils":[{"token":"\#(pupil)"}]}"#]),
        ]
    }

    @Test func everyRoleDoesWhatItMayAndEveryOtherRoleIsRefusedAndAudited() async throws {
        let run = try ServeCommandTests.GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let setup = try run.prepare()
        try #require(setup.contains("bilet://operator/op-1/ws/1"), "dev-setup issues the operator's workstation: \(setup)")

        let (serve, _, ports) = try await run.serve()
        defer { _ = try? serve.terminate() }
        let door = Door(run: run, workstations: try #require(ports["workstations"]), pupils: try #require(ports["pupils"]))
        try run.initialiseVault()

        let spare = try await Self.walkthrough(door)
        let actions = Self.actions(spare: spare)

        for action in actions {
            // Every other role first (so a refusal is never a conflict with the success), then the allowed ones.
            for role in Role.allCases where !action.allowed.contains(role) {
                let answer = try door.send(action.call(role), as: role)
                let special = action.refusedAs[role]
                let (status, code) = special.map { ($0.status, $0.code) } ?? action.refusal
                #expect(
                    answer.http == status && (code.isEmpty || Self.object(answer.body)["code"] as? String == code)
                        && (action.refusalBody == nil || answer.body == action.refusalBody),
                    "\(action.name) by \(role): expected \(status) \(code) \(action.refusalBody ?? ""), got \(answer)")
                for audited in (special.map { $0.audited.map { [$0] } ?? [] } ?? [action.audited]) + action.alsoAudited {
                    door.expectedRefusals["user:\(door.accounts[role] ?? "?")", default: [:]][audited, default: 0] += 1
                }
                if let twin = action.sameAnswerAs, twin.roles.contains(role) {
                    let other = try door.send(twin.call(role), as: role)
                    #expect(other.http == answer.http && other.body == answer.body, "\(action.name) by \(role): \(answer) differs from \(other)")
                    if let audited = twin.audited { door.expectedRefusals["user:\(door.accounts[role] ?? "?")", default: [:]][audited, default: 0] += 1 }
                }
            }
            for role in Role.allCases where action.allowed.contains(role) {
                let answer = try door.send(action.call(role), as: role)
                #expect(answer.http == action.success, "\(action.name) by \(role): expected \(action.success), got \(answer)")
                if let body = action.bodies[role] { #expect(answer.body == body, "\(action.name) by \(role): \(answer.body)") }
                if let undo = action.undo {
                    let undone = try door.send(undo(role), as: role)
                    #expect(undone.http == "204", "undoing \(action.name) by \(role): \(undone)")
                }
            }
        }

        // What each successful row left: a coordinator sees its own region only; the school itself.
        let coordinatorList = try door.send(Call(method: "GET", path: "/v1/organisations"), as: .regionalCoordinator)
        let listed = (Self.object(coordinatorList.body)["organisations"] as? [[String: Any]] ?? []).compactMap { $0["uri"] as? String }
        #expect(Set(listed).isSuperset(of: ["bilet://school/77-0001", "bilet://school/77-0002", "bilet://school/77-0003", "bilet://venue/77-0042"]))
        #expect(!listed.contains("bilet://region/50"), "\(listed)")
        let schoolList = try door.send(Call(method: "GET", path: "/v1/organisations"), as: .school)
        let own = (Self.object(schoolList.body)["organisations"] as? [[String: Any]] ?? []).compactMap { $0["uri"] as? String }
        #expect(own == ["bilet://school/77-0001"], "\(own)")
        // The coordinator resolved the only case: none is open.
        let open = try door.send(Call(method: "GET", path: "/v1/duplicates"), as: .regionalCoordinator)
        #expect(open.http == "200" && open.body == #"{"cases":[]}"#, "\(open)")
        // The pupils' routes do not exist on a workstation, whatever the session.
        let pupilOnWorkstation = try door.send(
            Call(method: "POST", path: "/v1/pupil/sessions", json: #"{"login":"pupil.one","password":"x"}"#), as: .school)
        #expect(pupilOnWorkstation.http == "404" && pupilOnWorkstation.body.contains(#""code":"route-not-found""#), "\(pupilOnWorkstation)")

        // Each refusal is in the audit log, under the refused account, as often as it was refused;
        // and each change to the registry under the account that made it (registrations, profiles).
        try await Self.expectAudited(door)
        for (role, changes) in [(Role.operator_, 3), (.regionalCoordinator, 5), (.school, 1), (.venue, 0)] {
            let answer = try door.send(
                Call(method: "GET", path: "/v1/audit/entries?type=organisation.changed&actor=user:\(door.accounts[role] ?? "?")"),
                as: .complianceOfficer)
            let entries = Self.object(answer.body)["entries"] as? [[String: Any]] ?? []
            #expect(entries.count == changes, "\(role): \(entries.count) organisation.changed, expected \(changes)")
        }
        try Self.hostileProbes(door, pupil: try #require(spare["pupil"]))
        // Synthetic pupils registered, corrected and searched: none of their values in a whole-database pg_dump.
        try Self.expectNoPupilDataInClear(door)
        #expect(try serve.terminate() == 0)
        // Nothing personal, no secret reaches the processes' log: not the synthetic pupil's,
        // guardian's or signatory's names, SNILS or phone, not a password, not a bearer token.
        // (Organisation names, «Тестовая организация», are not personal data and may be logged.)
        let log = try String(contentsOf: serve.log, encoding: .utf8).replacingOccurrences(of: "Тестовая", with: "")
        #expect(log.contains("bilet is ready"))
        var secrets = ["Тестова", "Тестов-", "Анна", "Мария", Self.snils, "11223344595", "+7 900 000-00-01", "9000000001", Self.password]
        secrets += Array(door.tokens.values)
        for secret in secrets {
            #expect(!log.contains(secret), "the serve log contains \(secret.prefix(12))…")
        }
    }

    /// What a hostile client tries after the matrix: a body the door would drop, values the
    /// vault sets itself, a staff token on the pupils' listener.
    static func hostileProbes(_ door: Door, pupil: String) throws {
        // A body within the route's limit that JSON escapes double on the way to the door ("/" is
        // "\/"): the vault itself answers it (the value is too long), the door never drops it
        // (with the door's old 64 KiB limit this answered 503 vault-unavailable). A request beyond
        // the door's limit is refused before it is sent (PupilDoorTests).
        let slashes = String(repeating: "/", count: 40_000)
        let oversized = try door.send(
            Call(method: "PATCH", path: "/v1/pupils/\(pupil)", json: #"{"fields":{"surname":"\#(slashes)"}}"#), as: .school)
        #expect(oversized.http == "422" && object(oversized.body)["code"] as? String == "invalid-value", "\(oversized.http) \(oversized.body.prefix(200))")
        let afterwards = try door.send(Call(method: "GET", path: "/v1/pupils/\(pupil)?purpose=enrolment&fields=grade"), as: .school)
        #expect(afterwards.http == "200", "\(afterwards)")
        // The pupil's school is the caller's, not a value of the form or of a correction.
        let moved = try door.send(Call(method: "PATCH", path: "/v1/pupils/\(pupil)", json: #"{"fields":{"school":"77-0002"}}"#), as: .school)
        #expect(moved.http == "422" && object(moved.body)["code"] as? String == "unknown-field", "\(moved)")
        // A staff token is no session on the pupils' listener (no certificate), for staff routes and pupils' alike.
        for call in [Call(method: "GET", path: "/v1/pupils/\(pupil)?purpose=enrolment"), Call(method: "GET", path: "/v1/staff/me")] {
            let answer = try door.send(call, workstation: nil, token: door.tokens[.school])
            #expect(answer.http == "401" && object(answer.body)["code"] as? String == "session-required", "\(call.path): \(answer)")
        }
        let pupilRoute = try door.send(Call(method: "DELETE", path: "/v1/pupil/sessions/current"), workstation: nil, token: door.tokens[.school])
        #expect(pupilRoute.http == "401", "\(pupilRoute)")
    }

    /// docs/WALKTHROUGH.md, step by step: bootstrap accounts, sign in, consent, the operator
    /// registers region 77 and its coordinator, the coordinator registers schools 77-0001 and
    /// 77-0002 and venue 77-0042 and their first accounts, the school its navigator, the venue its
    /// mentor. Returns the spare (pending) accounts the matrix changes.
    static func walkthrough(_ door: Door) async throws -> [String: String] {
        // Bootstrap: the roles that no one above creates over HTTP.
        for role in [Role.operator_, .methodologist, .complianceOfficer, .securityAdmin] {
            let added = try door.run.addAccount(role.login, role: role.staffRole, organisation: "bilet://operator/op-1", password: password)
            try #require(added.status == 0, "\(added.output)")
            try signIn(door, role)
        }
        // The operator registers region 77 and creates its coordinator's account.
        let region = try door.send(registration(kind: "region", id: "77", region: "77"), as: .operator_)
        try #require(region.http == "201", "\(region)")
        #expect(object(region.body)["uri"] as? String == "bilet://region/77", "\(region.body)")
        try create(door, .regionalCoordinator, organisation: "region/77", by: .operator_)
        // The coordinator registers two schools and a venue, and their first accounts.
        for (kind, id) in [("school", "77-0001"), ("school", "77-0002"), ("venue", "77-0042")] {
            let registered = try door.send(registration(kind: kind, id: id, region: "77"), as: .regionalCoordinator)
            try #require(registered.http == "201", "\(kind) \(id): \(registered)")
        }
        try create(door, .school, organisation: "school/77-0001", by: .regionalCoordinator)
        try create(door, .venue, organisation: "venue/77-0042", by: .regionalCoordinator)
        try create(door, .otherSchool, organisation: "school/77-0002", by: .regionalCoordinator)
        // The school creates its navigator, the venue its mentor.
        try create(door, .navigator, organisation: nil, by: .school)
        try create(door, .mentor, organisation: nil, by: .venue)

        // Spare pending accounts for the rows that disable accounts, and school 77-0001's pupil.
        var spare: [String: String] = [:]
        let registered = try door.send(pupilForm(surname: "Тестова", snils: snils), as: .school)
        spare["pupil"] = try #require(object(registered.body)["token"] as? String, "\(registered)")
        // School 77-0002's namesake (same name and birth date, no SNILS): answered as any
        // registration, the case goes to region 77's coordinator.
        let namesake = try door.send(pupilForm(surname: "Тестова", snils: nil), as: .otherSchool)
        try #require(namesake.http == "201", "\(namesake)")
        let cases = try door.send(Call(method: "GET", path: "/v1/duplicates"), as: .regionalCoordinator)
        let listed = try #require(object(cases.body)["cases"] as? [[String: Any]], "\(cases)")
        try #require(listed.count == 1, "\(cases)")
        #expect(Set(listed[0]["schools"] as? [String] ?? []) == ["77-0001", "77-0002"], "\(cases)")
        spare["case"] = try #require(listed[0]["case"] as? String, "\(cases)")
        spare["cases"] = cases.body
        let navigator = try door.send(newAccount("navigator.spare", role: "navigator", organisation: nil), as: .school)
        spare["navigator"] = try #require(object(navigator.body)["account"] as? String, "\(navigator)")
        let coordinator = try door.send(newAccount("coordinator.spare", role: "regional_coordinator", organisation: "region/77"), as: .operator_)
        spare["coordinator"] = try #require(object(coordinator.body)["account"] as? String, "\(coordinator)")
        return spare
    }

    /// `by` creates `role`'s account; its holder activates it at their workstation, signs in and consents.
    static func create(_ door: Door, _ role: Role, organisation: String?, by creator: Role) throws {
        let created = try door.send(newAccount(role.login, role: role.staffRole, organisation: organisation), as: creator)
        try #require(created.http == "201", "\(creator) creating \(role): \(created)")
        let code = try #require(object(created.body)["activation_code"] as? String)
        let activated = try door.send(
            Call(method: "POST", path: "/v1/staff/activate",
                 json: #"{"login":"\#(role.login)","activation_code":"\#(code)","password":"\#(password)"}"#),
            workstation: role.workstation, token: nil)
        try #require(activated.http == "204", "activating \(role): \(activated)")
        try signIn(door, role)
    }

    /// Signs `role` in on its workstation and records the staff consent; keeps the token and account.
    static func signIn(_ door: Door, _ role: Role) throws {
        let login = try door.send(
            Call(method: "POST", path: "/v1/sessions", json: #"{"login":"\#(role.login)","password":"\#(password)"}"#),
            workstation: role.workstation, token: nil)
        try #require(login.http == "201", "\(role) signing in: \(login)")
        let token = try #require(object(login.body)["token"] as? String)
        door.tokens[role] = token
        let gated = try door.send(Call(method: "GET", path: "/v1/organisations"), as: role)
        #expect(gated.http == "403" && gated.body.contains(#""code":"staff-consent-required""#), "\(role) before consent: \(gated)")
        let consent = try door.send(Call(method: "POST", path: "/v1/staff/me/consent", json: #"{"version":"staff-pd-2026-1"}"#), as: role)
        try #require(consent.http == "204", "\(role) consenting: \(consent)")
        let me = try door.send(Call(method: "GET", path: "/v1/staff/me"), as: role)
        #expect(object(me.body)["role"] as? String == role.staffRole, "\(me)")
        door.accounts[role] = try #require(object(me.body)["account"] as? String, "\(me)")
    }

    /// Polls the audit log (as the compliance officer) until every refused account's `deny` events
    /// match what the matrix expects, exactly; fails with the difference after a minute.
    static func expectAudited(_ door: Door) async throws {
        var found: [String: [Audited: Int]] = [:]
        for _ in 0..<120 {
            found = [:]
            for actor in door.expectedRefusals.keys {
                let answer = try door.send(
                    Call(method: "GET", path: "/v1/audit/entries?decision=deny&actor=\(actor)&limit=10000"), as: .complianceOfficer)
                try #require(answer.http == "200", "\(answer)")
                for entry in object(answer.body)["entries"] as? [[String: Any]] ?? [] {
                    guard let type = entry["type"] as? String, entry["actor"] as? String == actor else { continue }
                    let fields = (entry["fields"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
                    let key = Audited(type: type, fields: fields.filter { ["action", "resource"].contains($0.key) })
                    found[actor, default: [:]][key, default: 0] += 1
                }
            }
            if found == door.expectedRefusals { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        for (actor, expected) in door.expectedRefusals {
            let role = door.accounts.first { "user:\($0.value)" == actor }?.key.rawValue ?? actor
            let audited = found[actor] ?? [:]
            let differences = Set(audited.keys).union(expected.keys).filter { audited[$0] != expected[$0] }
                .map { "\($0.type) \($0.fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")): audited \(audited[$0] ?? 0), expected \(expected[$0] ?? 0)" }
                .sorted()
            #expect(differences.isEmpty, "\(role): \(differences.joined(separator: "; "))")
        }
        #expect(Set(found.keys) == Set(door.expectedRefusals.keys))
    }
}
