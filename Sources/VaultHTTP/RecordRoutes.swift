import Gateway
import Hummingbird
import VaultDoor

/// A school's records: consents and scans, withdrawals, transfers, subject-access requests and
/// bulk import.
enum RecordRoutes {
    static func add(to router: Router<BiletRequestContext>, door: VaultDoorClient) {}
}
