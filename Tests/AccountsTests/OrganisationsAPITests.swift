import Accounts
import Foundation
import Organisations
import Testing

/// The organisation registry over real mTLS: the operator registers regions, a region's
/// coordinator schools and venues of its own region, a school its own profile; every refusal is
/// audited.
@Suite("Organisation registry over HTTP", .serialized)
struct OrganisationsAPITests {
    static let forbidden = #"{"code":"forbidden","status":403,"title":"The policy does not permit this request.","type":"about:blank"}"#

    @Test("the operator registers a region, its coordinator a school of that region, the school fills in its own profile; each change audited")
    func hierarchy() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let operatorToken = try await harness.operatorToken()
            let region = try await harness.register(kind: "region", id: "77", region: "77", token: operatorToken, certificate: "operator-ws")
            #expect(region.status == 201, "\(region.body)")
            #expect(AdministrationHarness.object(region.body)["uri"] as? String == "bilet://region/77")
            #expect(!region.body.contains("Тестова Анна"), "the signatory is write-only")

            let coordinator = try await harness.makeStaff(
                "coordinator.77", role: "regional_coordinator", organisation: "region/77", by: operatorToken,
                adminCertificate: "operator-ws", certificate: "region77-ws")
            let school = try await harness.register(
                kind: "school", id: "77-1234", region: "77", token: coordinator, certificate: "region77-ws",
                inn: AdministrationHarness.inn[2], ogrn: AdministrationHarness.ogrn[2])
            #expect(school.status == 201, "\(school.body)")
            #expect(AdministrationHarness.object(school.body)["uri"] as? String == "bilet://school/77-1234")
            #expect(AdministrationHarness.object(school.body)["region"] as? String == "77")

            let schoolToken = try await harness.makeStaff(
                "school.admin", role: "school", organisation: "school/77-1234", by: coordinator, adminCertificate: "region77-ws",
                certificate: "school")
            let profile = try await harness.curl(
                "PUT", "/v1/organisations/school/77-1234/profile", token: schoolToken,
                json: #"{"name":"Школа № 1234","address":"г. Тестов, ул. Новая, 2","profile":"Профильные классы"}"#)
            #expect(profile.status == 200, "\(profile.body)")
            #expect(AdministrationHarness.object(profile.body)["profile"] as? String == "Профильные классы")
            let mine = try await harness.curl("GET", "/v1/organisations", token: schoolToken)
            let listed = AdministrationHarness.object(mine.body)["organisations"] as? [[String: Any]]
            #expect(mine.status == 200)
            #expect(listed?.compactMap { $0["uri"] as? String } == ["bilet://school/77-1234"])

            let changes = try await harness.auditEvents("organisation.changed")
            #expect(changes.count == 3)
            #expect(changes.allSatisfy { $0.actor?.hasPrefix("user:usr_") == true })
            #expect(changes[0].payload.contains(#""change": "registered""#))
            #expect(changes[2].payload.contains(#""change": "profile_updated""#))
            for change in changes { #expect(!change.payload.contains("Тест"), "no names or addresses in the audit log") }
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a coordinator of region 77 cannot register a school of region 50, list region 50 or act as the operator; each refusal audited")
    func coordinatorScoping() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            let operatorToken = try await harness.operatorToken()
            for id in ["77", "50"] {
                #expect(try await harness.register(kind: "region", id: id, region: id, token: operatorToken, certificate: "operator-ws").status == 201)
            }
            let coordinator = try await harness.makeStaff(
                "coordinator.77", role: "regional_coordinator", organisation: "region/77", by: operatorToken,
                adminCertificate: "operator-ws", certificate: "region77-ws")
            let before = try await harness.auditEvents("policy.decided").count

            let foreign = try await harness.register(kind: "school", id: "50-0001", region: "50", token: coordinator, certificate: "region77-ws")
            let region = try await harness.register(kind: "region", id: "51", region: "51", token: coordinator, certificate: "region77-ws")
            let listing = try await harness.curl("GET", "/v1/organisations?region=50", certificate: "region77-ws", token: coordinator)
            let stored = try await harness.owner.query("SELECT count(*) FROM organisations.organisations WHERE id IN ('50-0001', '51')")
                .singleValue(Int.self)
            let denials = try await harness.auditEvents("policy.decided")

            #expect(foreign.status == 403)
            #expect(foreign.body == Self.forbidden)
            #expect(region.status == 403)
            #expect(region.body == Self.forbidden)
            #expect(listing.status == 403)
            #expect(stored == 0)
            #expect(denials.count - before == 3)
            #expect(denials.suffix(3).allSatisfy { $0.decision == "deny" && $0.actor?.hasPrefix("user:usr_") == true })
            #expect(denials.suffix(3).allSatisfy { $0.payload.contains(#""resource": "organisation_profile""#) })

            // The operator registers regions, not schools.
            let operatorSchool = try await harness.register(kind: "school", id: "77-5555", region: "77", token: operatorToken, certificate: "operator-ws")
            #expect(operatorSchool.status == 403)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("a school cannot change another school's profile; an unknown organisation is 404")
    func profileScoping() async throws {
        let harness = try await AdministrationHarness.start()
        do {
            try await harness.insertOrganisation(kind: "region", id: "77", region: "77")
            try await harness.insertOrganisation(kind: "school", id: "77-1234", region: "77")
            try await harness.insertOrganisation(kind: "school", id: "77-9999", region: "77")
            _ = try await harness.store.add(
                login: "school.a", role: "school", organisation: "bilet://school/77-1234", region: "77",
                password: AdministrationHarness.password, actor: "test:harness")
            let token = try await harness.signIn("school.a", certificate: "school")
            let other = try await harness.curl(
                "PUT", "/v1/organisations/school/77-9999/profile", token: token, json: #"{"name":"Чужая","address":"г. Тестов"}"#)
            let unknown = try await harness.curl("GET", "/v1/organisations/school/77-0000", token: token)
            let formBody = try await harness.curl(
                "PUT", "/v1/organisations/school/77-1234/profile", token: token, json: "name=x", contentType: "application/x-www-form-urlencoded")
            let name = try await harness.owner.query("SELECT name FROM organisations.organisations WHERE id = '77-9999'").singleValue(String.self)
            #expect(other.status == 403)
            #expect(other.body == Self.forbidden)
            #expect(unknown.status == 404)
            #expect(unknown.body.contains(#""code":"organisation-not-found""#))
            #expect(formBody.status == 415)
            #expect(name == "Тестовая организация")
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    @Test("ИНН and ОГРН are refused unless their check digits verify")
    func taxIdentifiers() async throws {
        #expect(TaxIdentifiers.isValidINN("7700000016"))
        #expect(!TaxIdentifiers.isValidINN("7700000017"))
        #expect(!TaxIdentifiers.isValidINN("770000001"))
        #expect(!TaxIdentifiers.isValidINN("77000000١6"))
        #expect(TaxIdentifiers.isValidOGRN("1027700000008"))
        #expect(!TaxIdentifiers.isValidOGRN("1027700000009"))
        #expect(!TaxIdentifiers.isValidOGRN("102770000000"))

        let harness = try await AdministrationHarness.start()
        do {
            let operatorToken = try await harness.operatorToken()
            let badINN = try await harness.register(
                kind: "region", id: "77", region: "77", token: operatorToken, certificate: "operator-ws", inn: "7700000017")
            let badOGRN = try await harness.register(
                kind: "region", id: "77", region: "77", token: operatorToken, certificate: "operator-ws", ogrn: "1027700000009")
            #expect(badINN.status == 422)
            #expect(badINN.body.contains(#""code":"invalid-inn""#))
            #expect(badOGRN.status == 422)
            #expect(badOGRN.body.contains(#""code":"invalid-ogrn""#))
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }
}
