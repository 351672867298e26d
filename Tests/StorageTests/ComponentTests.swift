import Storage
import Testing

@Suite("Components and their roles")
struct ComponentTests {
    @Test("every component has role bilet_<name>")
    func roleNames() {
        #expect(Component.allCases.map(\.roleName) == [
            "bilet_vault", "bilet_audit", "bilet_policy", "bilet_identity", "bilet_ca", "bilet_gateway",
            "bilet_assessment", "bilet_trials", "bilet_recommendations", "bilet_accounts",
            "bilet_auditor", "bilet_account_admin", "bilet_organisations",
        ])
        #expect(Component.allCases.filter(\.isModule) == [.assessment, .trials, .recommendations])
        #expect(Component.allCases.filter(\.appendsAudit) == [.vault, .policy, .identity, .ca, .gateway, .accounts, .accountAdmin, .organisations])
        #expect(Component.allCases.filter { $0.schemaName == nil } == [.gateway, .auditor, .accountAdmin])
    }
}
