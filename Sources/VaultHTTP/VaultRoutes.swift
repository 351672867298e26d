public import Accounts
public import Gateway
public import Hummingbird
public import VaultDoor

/// Every route that reaches the vault through its door: pupils (``PupilRoutes``) and a school's
/// records (``RecordRoutes``). Each asks the vault process as the verified ``DoorCaller`` of the
/// request's session; the gateway holds no key and decides nothing about personal data itself.
public enum VaultRoutes {
    /// Adds the routes to `router`; they call the vault through `door`, behind staff sessions of
    /// `sessions`.
    public static func add(to router: Router<BiletRequestContext>, door: VaultDoorClient, sessions: StaffSessions) {
        PupilRoutes.add(to: router, door: door, sessions: sessions)
        RecordRoutes.add(to: router, door: door, sessions: sessions)
    }
}
