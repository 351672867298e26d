import Foundation
import Testing
import ServeTestSupport

/// `bilet accounts add` refuses what can never be a staff account before touching the database.
@Suite("bilet accounts")
struct AccountsCommandTests {
    @Test("accounts add refuses a role that is not a staff role", arguments: ["pupil", "service", "root"])
    func unknownRole(role: String) throws {
        let result = try BiletProcess.run(
            ["accounts", "add", "--login", "someone", "--role", role, "--organisation", "bilet://school/77-0001",
             "--region", "77", "--password-stdin", "--database-url", "host=/nonexistent dbname=none"],
            environment: [:])
        #expect(result.status == 64)
        #expect(result.output.contains("accounts.unknown_role"))
    }

    @Test("accounts add refuses an organisation of the wrong kind for the role")
    func wrongKind() throws {
        let result = try BiletProcess.run(
            ["accounts", "add", "--login", "someone", "--role", "mentor", "--organisation", "bilet://school/77-0001",
             "--region", "77", "--password-stdin"],
            environment: [:])
        #expect(result.status == 64)
        #expect(result.output.contains("accounts.role_mismatch"))
    }
}
