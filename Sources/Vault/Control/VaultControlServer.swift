import Foundation
public import Logging
import Tokens
import LocalSocket
public import NIOCore
public import NIOPosix
public import ServiceLifecycle

/// The vault's local control channel: a Unix domain socket that `bilet vault unseal | seal |
/// status | rotate | deadlines | erase | hold | release | retention | register` talk to, one JSON request and one JSON response per connection.
///
/// Built on ``LocalSocketServer``: the socket lives in a directory of its own with mode 0700, the
/// socket file has mode 0600, and the kernel-reported user of every caller must be the vault's own, so
/// only the user running the vault can use it whatever the file permissions say. It refuses to start
/// when another process already answers on the path. Requests are bounded (64 KiB); a connection that
/// sends nothing within the timeout is closed.
///
/// The socket is an administrator path (owner only): erasure, legal holds and retention ends asked
/// for here take no policy decision and are audited with the server's ``actor``.
///
/// Add it to `bilet serve`'s `ServiceGroup`; it closes the socket on graceful shutdown.
public struct VaultControlServer: Service {
    /// The longest request line accepted.
    public static let maximumRequestBytes = 64 * 1024

    public let vault: Vault
    /// The socket path (its directory is created with mode 0700 if missing).
    public let socketPath: String
    /// The actor identifier the audit records of control operations carry.
    public let actor: String
    private let group: any EventLoopGroup
    private let logger: Logger
    private let requestTimeout: Duration
    private let onListening: @Sendable () async -> Void

    /// Creates the server.
    ///
    /// - Parameter onListening: called once the socket answers at `socketPath` (mode 0600).
    public init(
        vault: Vault, socketPath: String, actor: String = "admin:control-socket",
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, requestTimeout: Duration = .seconds(30),
        logger: Logger = Logger(label: "bilet.vault.control"),
        onListening: @escaping @Sendable () async -> Void = {}
    ) {
        self.onListening = onListening
        self.vault = vault
        self.socketPath = socketPath
        self.actor = actor
        self.group = group
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    public func run() async throws {
        let server = LocalSocketServer<VaultControlRequest, VaultControlResponse>(
            name: "vault-control", socketPath: socketPath, maximumRequestBytes: Self.maximumRequestBytes,
            requestTimeout: requestTimeout, group: group, logger: logger,
            invalidRequest: { .failure(VaultError(.invalidRequest, reason: "not a vault control request")) },
            onListening: { [logger, socketPath, onListening] in
                logger.info("vault control socket listening", metadata: ["path": "\(socketPath)"])
                await onListening()
            }
        ) { request, _ in
            logger.info("vault control request", metadata: ["operation": "\(request.operation.rawValue)"])
            return await self.handle(request)
        }
        do {
            try await server.run()
        } catch let error as LocalSocketError {
            throw VaultError(.controlSocket, reason: error.reason)
        }
    }

    /// The subject token a request names.
    private static func token(in request: VaultControlRequest) throws(VaultError) -> SubjectToken {
        guard let text = request.token else {
            throw VaultError(.invalidRequest, reason: "\(request.operation.rawValue) needs a subject token")
        }
        do {
            return try SubjectToken(parsing: text)
        } catch {
            throw VaultError(.invalidRequest, reason: "not a subject token")
        }
    }

    /// Midnight UTC of `YYYY-MM-DD`, or nil for anything else.
    private static func date(_ text: String) -> Date? {
        guard let civil = CivilDate(iso: text) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: civil.year, month: civil.month, day: civil.day))
    }

    /// Carries out one request.
    public func handle(_ request: VaultControlRequest) async -> VaultControlResponse {
        do throws(VaultError) {
            switch request.operation {
            case .status:
                return .success(status: try await vault.status())
            case .unseal:
                guard let secret = request.secret else {
                    throw VaultError(.invalidRequest, reason: "unseal needs a passphrase or a key file")
                }
                try await vault.unseal(with: secret, by: actor)
                return .success(status: try await vault.status())
            case .seal:
                try await vault.seal(by: actor)
                return .success(status: try await vault.status())
            case .initialise:
                guard let secret = request.secret else {
                    throw VaultError(.invalidRequest, reason: "init needs a passphrase or a key file")
                }
                try await vault.initialize(with: secret, by: actor)
                return .success(status: try await vault.status())
            case .rotate:
                try await vault.rotate(by: actor)
                return .success(status: try await vault.status())
            case .deadlines:
                return .success(deadlines: try await vault.deadlines())
            case .erase:
                let token = try Self.token(in: request)
                guard let text = request.reason, let reason = ErasureReason(rawValue: text), reason != .pupilErased else {
                    throw VaultError(
                        .invalidRequest, reason: "erase needs a reason: subject_request, consent_withdrawn, consent_expired or retention_expired")
                }
                let receipt = try await vault.eraseWithReceipt(token, reason: reason, by: actor)
                return .success(erased: receipt.erased, modules: receipt.modules, facts: receipt.facts)
            case .erasureStatus:
                if request.overdue == true, request.token == nil {
                    var response = VaultControlResponse.success()
                    response.overdue = try await vault.overdueModuleErasures()
                    return response
                }
                return .success(modules: try await vault.moduleErasures(of: try Self.token(in: request)))
            case .hold, .release:
                try await vault.setLegalHold(request.operation == .hold, for: try Self.token(in: request), by: actor)
                return .success()
            case .retention:
                let token = try Self.token(in: request)
                switch (request.until, request.clear ?? false) {
                case (let text?, false):
                    guard let date = Self.date(text) else {
                        throw VaultError(.invalidRequest, reason: "the retention end is not a date (YYYY-MM-DD)")
                    }
                    try await vault.setRetention(until: date, for: token, by: actor)
                case (nil, true):
                    try await vault.setRetention(until: nil, for: token, by: actor)
                default:
                    throw VaultError(.invalidRequest, reason: "retention needs either a date to keep until or clear, not both")
                }
                return .success()
            case .register:
                return .success(register: try await vault.destructionRegister())
            }
        } catch {
            logger.warning("vault control request refused", metadata: ["code": "\(error.code.rawValue)"])
            return .failure(error)
        }
    }
}
