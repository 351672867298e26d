/// The vault of `bilet serve`. The vault always runs, and starts sealed.
public struct VaultSettings: Hashable, Sendable {
    /// The control socket `bilet vault …` talks to; its directory is created with mode 0700.
    public var controlSocket: String
    /// The door socket gateways call for the vault's work (directory mode 0700 unless door users are set).
    public var doorSocket: String = "var/vault-door/door.sock"
    /// System users whose processes may call the door, besides the vault's own user.
    public var doorUsers: [String] = []

    public init(controlSocket: String = "var/vault/control.sock") {
        self.controlSocket = controlSocket
    }
}
