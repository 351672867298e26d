import Foundation
public import Logging
import Tokens
public import NIOCore
public import NIOPosix
public import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The vault's local control channel: a Unix domain socket that `bilet vault unseal | seal |
/// status | rotate | deadlines | erase | hold | release | retention | register` talk to, one JSON request and one JSON response per connection.
///
/// The socket lives in a directory of its own with mode 0700, and the socket file has mode 0600,
/// so only the user running bilet (and root) can connect. It refuses to start when another
/// process already answers on the path. Requests are bounded (64 KiB); a connection that sends
/// nothing within the timeout is closed.
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
        try prepareDirectory()
        if await VaultControlClient.isAnswering(socketPath: socketPath) {
            throw VaultError(.controlSocket, reason: "another process answers on the vault control socket")
        }
        // Bind under a temporary name, restrict it to the owner, then move it into place: the
        // socket never exists at its public path with looser permissions.
        let temporaryPath = socketPath + ".binding"
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 16)
            .bind(unixDomainSocketPath: temporaryPath, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        guard chmod(temporaryPath, 0o600) == 0, rename(temporaryPath, socketPath) == 0 else {
            try? await server.channel.close()
            unlink(temporaryPath)
            throw VaultError(.controlSocket, reason: "cannot restrict the control socket to its owner")
        }
        logger.info("vault control socket listening", metadata: ["path": "\(socketPath)"])
        await onListening()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { tasks in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        tasks.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
        }
        unlink(socketPath)
    }

    private func prepareDirectory() throws {
        let directory = (socketPath as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        var status = stat()
        if stat(directory, &status) != 0 {
            guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw VaultError(.controlSocket, reason: "cannot create the control socket directory")
            }
            guard stat(directory, &status) == 0 else { throw VaultError(.controlSocket, reason: "cannot stat the control socket directory") }
        }
        guard status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid(), status.st_mode & 0o077 == 0 else {
            throw VaultError(.controlSocket, reason: "the control socket directory must be owned by this user with mode 0700")
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                let line = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                    group.addTask { try await Self.readLine(inbound) }
                    group.addTask {
                        try await Task.sleep(for: requestTimeout)
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
                guard let line else { return }
                let response: VaultControlResponse
                if let request = try? JSONDecoder().decode(VaultControlRequest.self, from: Data(line)) {
                    logger.info("vault control request", metadata: ["operation": "\(request.operation.rawValue)"])
                    response = await handle(request)
                } else {
                    response = .failure(VaultError(.invalidRequest, reason: "not a vault control request"))
                }
                var bytes = (try? JSONEncoder().encode(response)) ?? Data()
                bytes.append(UInt8(ascii: "\n"))
                try await outbound.write(ByteBuffer(bytes: bytes))
            }
        } catch {
            logger.debug("vault control connection ended", metadata: ["error": "\(type(of: error))"])
        }
    }

    private static func readLine(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> [UInt8]? {
        var collected: [UInt8] = []
        for try await buffer in inbound {
            collected += buffer.readableBytesView
            if let newline = collected.firstIndex(of: UInt8(ascii: "\n")) {
                return Array(collected[..<newline])
            }
            if collected.count > maximumRequestBytes { return nil }
        }
        return collected.isEmpty ? nil : collected
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
                return .success(erased: try await vault.erase(token, reason: reason, by: actor))
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
