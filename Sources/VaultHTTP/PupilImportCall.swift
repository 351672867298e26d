public import PupilImport
public import Gateway
public import VaultDoor

/// A school's pupil import as `POST /v1/pupils/import` and the import page both make it: the whole
/// file checked in the gateway (``PupilImportFile/check(_:today:maximumRows:)``), then every row
/// registered by the vault in one transaction, all or nothing, as the caller.
public enum PupilImportCall {
    /// What became of a file.
    public enum Outcome: Sendable, Hashable {
        /// Every row was registered: the pupils' tokens in file order.
        case imported([String])
        /// Nothing was stored: the rows' issues (at most ``PupilImportFile/maximumIssues``) and their total.
        case refused([ImportIssue], total: Int)
    }

    /// The answer to a file over ``PupilImportFile/maximumBytes``.
    public static let tooLarge = Problem(
        .contentTooLarge, code: "import-too-large", title: "The import file is larger than 4 MiB; split it into smaller files.")

    /// Checks and imports `bytes` (the file) as `caller` through `door`.
    ///
    /// - Throws: ``Problem`` `413 import-too-large` for a file over ``PupilImportFile/maximumBytes``,
    ///   a door refusal (``DoorCalls/problem(forRefusal:)``), and `503 vault-unavailable` when the
    ///   vault cannot be reached.
    public static func run(_ bytes: [UInt8], caller: DoorCaller, door: VaultDoorClient) async throws(Problem) -> Outcome {
        guard bytes.count <= PupilImportFile.maximumBytes else { throw tooLarge }
        let today = PupilImportFile.today()
        switch PupilImportFile.check(bytes, today: today) {
        case .invalid(let issues, let total):
            return .refused(issues, total: total)
        case .valid(let rows):
            let response: VaultDoorResponse
            do {
                response = try await door.callLong(.records(.importPupils(rows, today: today), caller: caller))
            } catch {
                throw Problem(.serviceUnavailable, code: "vault-unavailable", title: "The vault cannot be reached; try again later.")
            }
            switch response {
            case .records(.imported(let tokens)):
                return .imported(tokens)
            case .records(.importRefused(let issues)):
                return .refused(Array(issues.prefix(PupilImportFile.maximumIssues)), total: issues.count)
            case .refused(let code):
                throw DoorCalls.problem(forRefusal: code)
            default:
                throw Problem.internalError
            }
        }
    }
}
