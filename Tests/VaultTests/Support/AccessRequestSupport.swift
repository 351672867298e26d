import Foundation
import Tokens
@testable import Vault

extension VaultFixture {
    /// Registers an open subject-access request for `pupil` (by the pupil's school, received today)
    /// and returns the reference `parent_request` reads cite.
    func openAccessRequest(for pupil: SubjectToken, school: String = Synthetic.school, clock: Date = Date()) async throws -> AccessRequestToken {
        try await vault.registerAccessRequest(for: pupil, receivedOn: CivilDate(clock).iso, by: Principals.school(school)).reference
    }
}
