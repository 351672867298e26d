import Testing

@testable import Vault

/// What the list of pupils lacking a consent says of each pupil's newest consent for the purpose.
struct ConsentGapStatusTests {
    @Test(arguments: [
        (nil, false, "none"),
        ("withdrawn", false, "withdrawn"),
        ("superseded", false, "superseded"),
        ("active", false, "expired"),  // active but no longer in force
        ("active", true, "not_yet_valid"),  // active, its valid_from still ahead
    ] as [(String?, Bool, String)])
    func status(state: String?, notYetValid: Bool, expected: String) {
        #expect(Vault.gapStatus(state: state, notYetValid: notYetValid) == expected)
    }
}
