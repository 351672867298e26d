/// The vault of `bilet serve`. The vault always runs, and starts sealed.
public struct VaultSettings: Hashable, Sendable {
    /// The control socket `bilet vault …` talks to; its directory is created with mode 0700.
    public var controlSocket: String

    public init(controlSocket: String = "var/vault/control.sock") {
        self.controlSocket = controlSocket
    }
}
