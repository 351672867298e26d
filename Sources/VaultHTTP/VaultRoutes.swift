public import Accounts
public import Gateway
public import Hummingbird
public import VaultDoor

/// Every route that reaches the vault through its door: pupils (``PupilRoutes``), a school's
/// records (``RecordRoutes``), navigators' assignments (``NavigatorRoutes``), the modules' door
/// over service certificates (``ModuleRoutes``) and, with pupils' accounts, a pupil's own (``PupilSelfRoutes``). Each asks the vault process as the verified ``DoorCaller`` of the
/// request's session; the gateway holds no key and decides nothing about personal data itself.
public enum VaultRoutes {
    /// Adds the routes to `router`; they call the vault through `door`, behind staff sessions of
    /// `sessions`. With `pupilAccounts`, schools issue their pupils' activation codes
    /// (`POST /v1/pupils/{token}/activation-code`) and pupils read their own card
    /// (`GET /v1/pupil/me`, behind pupil sessions).
    public static func add(
        to router: Router<BiletRequestContext>, door: VaultDoorClient, sessions: StaffSessions, pupilAccounts: PupilAccounts? = nil
    ) {
        PupilRoutes.add(to: router, door: door, sessions: sessions, accounts: pupilAccounts)
        RecordRoutes.add(to: router, door: door, sessions: sessions)
        NavigatorRoutes.add(to: router, door: door, sessions: sessions)
        ModuleRoutes.add(to: router, door: door)
        if let pupilAccounts { PupilSelfRoutes.add(to: router, door: door, accounts: pupilAccounts) }
    }
}
