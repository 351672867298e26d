public import Foundation

/// A temporary `bilet serve` run on a development PKI (`bilet certs dev-setup`), listeners on free
/// ports and a migrated throwaway database, driven with curl and the dev workstation certificates:
/// the harness of the serve tests (BiletCLITests) and the page tests (PagesTests).
public struct ServeRun: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public var certs: String { directory.path + "/certs" }
    public var socket: String { directory.path + "/vault/control.sock" }
    public var config: String { directory.path + "/bilet.json" }
    public var environment: [String: String] {
        [
            "BILET_DATABASE_LOCAL_DIRECTORY": directory.path + "/pg", "BILET_LOG_FORMAT": "json",
            "BILET_AUDIT_CHECKPOINT_DIRECTORY": directory.path + "/checkpoints",
        ]
    }

    public static func make() throws -> ServeRun {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-gw-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return ServeRun(directory: directory)
    }

    /// The configuration of config/dev.json, with port 0 everywhere and this run's paths (the
    /// vault's door socket defaults beside the control socket: `vault-door/door.sock` here).
    public func writeConfiguration() throws {
        let gateway = certs + "/gateway"
        let json = """
            {"gateway": {"listeners": "workstations@127.0.0.1:0/required,gost@127.0.0.1:0/required/gost,pupils@127.0.0.1:0/none",
                         "admin_listener": "admin@127.0.0.1:0",
                         "certificate": "\(gateway)/server.pem", "private_key": "\(gateway)/server.key",
                         "gost_certificate": "\(gateway)/gost-server.pem", "gost_private_key": "\(gateway)/gost-server.key",
                         "client_ca_bundle": "\(gateway)/ca-bundle.pem", "crl": "\(gateway)/crl.pem"},
             "vault": {"control_socket": "\(socket)"},
             "ca": {"directory": "\(certs)/ca", "issuing_passphrase_file": "\(certs)/ca/issuing.passphrase"}}
            """
        try json.write(toFile: config, atomically: true, encoding: .utf8)
    }

    public func bilet(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try BiletProcess.run(arguments, environment: environment)
    }

    /// A development PKI (`bilet certs dev-setup`), the configuration and a migrated database:
    /// what every serve test starts from. Returns dev-setup's output.
    @discardableResult
    public func prepare() throws -> String {
        let setup = try bilet(["certs", "dev-setup", "--directory", certs])
        try Self.check(setup.status == 0, setup.output)
        try writeConfiguration()
        let migrated = try bilet(["db", "migrate"])
        try Self.check(migrated.status == 0, migrated.output)
        return setup.output
    }

    /// Starts `bilet serve` with this run's configuration, logging to serve.log, and waits until
    /// it is ready: the process, the log lines so far and each listener's port by name.
    public func serve() async throws -> (process: BiletProcess, lines: [String], ports: [String: Int]) {
        let process = try BiletProcess.start(
            ["serve", "--config", config], environment: environment, log: directory.appendingPathComponent("serve.log"))
        let lines = try await process.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        var ports: [String: Int] = [:]
        for record in ServeRun.records(lines, message: "gateway listening") {
            if let name = record["tls.listener"] as? String, let port = (record["port"] as? String).flatMap(Int.init) { ports[name] = port }
        }
        return (process, lines, ports)
    }

    /// `bilet accounts add` with `password` on standard input, as an administrator bootstraps an account.
    public func addAccount(
        _ login: String, role: String, organisation: String, region: String? = nil, password: String = ServeRun.password
    ) throws -> (status: Int32, output: String) {
        try BiletProcess.run(
            ["-c", #"printf '%s\n' "$PASSWORD" | "$BILET" accounts add --login "$LOGIN" --role "$ROLE" --organisation "$ORGANISATION" ${REGION:+--region "$REGION"} --password-stdin"#],
            environment: environment.merging([
                "BILET": BiletProcess.binary.path, "BILET_CONFIG": config, "PASSWORD": password, "LOGIN": login, "ROLE": role,
                "ORGANISATION": organisation, "REGION": region ?? "",
            ]) { $1 },
            executable: URL(fileURLWithPath: "/bin/bash"))
    }

    /// Each of `accounts` (login, role, organisation, region) added with ``addAccount(_:role:organisation:region:password:)``;
    /// the first that fails throws with its output. Returns each login's account id (`usr_…`).
    @discardableResult
    public func addAccounts(_ accounts: [(login: String, role: String, organisation: String, region: String?)]) throws -> [String: String] {
        var identifiers: [String: String] = [:]
        for account in accounts {
            let added = try addAccount(account.login, role: account.role, organisation: account.organisation, region: account.region)
            try Self.check(added.status == 0, "bilet accounts add \(account.login): \(added.output)")
            identifiers[account.login] = String(
                try Self.unwrap(added.output.firstMatch(of: /\(user:(usr_[A-Za-z0-9_-]+)\)/)?.1, "no account id: \(added.output)"))
        }
        return identifiers
    }

    /// A synthetic pupil registered by the school signed in as `token` (`POST /v1/pupils` from the
    /// workstation), with a guardian and a consent numbered `number` for `purposes`; the pupil's token.
    public func registerPupil(
        port: Int, token: String, surname: String, firstName: String, number: String, purposes: [String]
    ) throws -> String {
        let purposeList = purposes.map { "\"\($0)\"" }.joined(separator: ",")
        let form = """
            {"pupil":{"surname":"\(surname)","first_name":"\(firstName)","birth_date":"2012-03-04","grade":"7","class":"А"},
             "guardian":{"surname":"\(surname)","first_name":"Ольга","relation":"mother","phone":"+7 900 000-00-0\(number.suffix(1))"},
             "consent":{"number":"\(number)/2026","signed_on":"2026-09-01","pupil_signed":true,"purposes":[\(purposeList)]}}
            """
        let registered = try call(port: port, client: "workstation", token: token, "/v1/pupils", method: "POST", type: "application/json", body: form)
        try Self.check(registered.http == "201", "\(registered)")
        return try Self.unwrap(Self.json(registered.body)["token"] as? String, "\(registered)")
    }

    /// The synthetic password of the accounts the serve tests add.
    public static let password = "synthetic pass phrase 1"

    /// A new master key file, and the vault initialised (and unsealed) with it over the control socket.
    public func initialiseVault() throws {
        let keyFile = directory.path + "/master.key"
        let made = try bilet(["vault", "keygen", keyFile])
        try Self.check(made.status == 0, made.output)
        let initialised = try bilet(["vault", "init", "--socket", socket, "--key-file", keyFile])
        try Self.check(initialised.status == 0, initialised.output)
    }

    /// A request on `port` presenting `client`'s certificate (nil: none) with `token` as the
    /// bearer, and `body` (a `@file` for curl to read) of `type`: the HTTP status and the body.
    public func call(
        port: Int, client: String?, token: String?, _ path: String, method: String = "GET", type: String? = nil, body: String? = nil
    ) throws -> (http: String, body: String) {
        var extra = ["-X", method]
        if let token { extra += ["-H", "Authorization: Bearer \(token)"] }
        if let type { extra += ["-H", "Content-Type: \(type)"] }
        if let body { extra += ["--data-binary", body] }
        let answer = try curl(port: port, path: path, client: client, extra: extra)
        return (answer.http, answer.body)
    }

    /// Signs `login` in on `port` with `client`'s certificate and records the staff consent every
    /// staff member gives first: the session's token.
    public func signIn(port: Int, _ login: String, client: String, password: String = ServeRun.password) throws -> String {
        let answer = try call(
            port: port, client: client, token: nil, "/v1/sessions", method: "POST", type: "application/json",
            body: #"{"login":"\#(login)","password":"\#(password)"}"#)
        let token = try Self.unwrap(ServeRun.json(answer.body)["token"] as? String, "\(answer)")
        let consent = try call(
            port: port, client: client, token: token, "/v1/staff/me/consent", method: "POST", type: "application/json",
            body: #"{"version":"staff-pd-2026-1"}"#)
        try Self.check(consent.http == "204", "\(consent)")
        return token
    }

    /// The pupil `pupil` (vault token) gets an account and signs in: the school (session
    /// `school`, on the workstations' listener `workstations`) issues an activation code, the
    /// pupil activates it as `login` and signs in on the pupils' listener `pupils`. The pupil
    /// session's token.
    public func signInPupil(workstations: Int, pupils: Int, school: String, _ pupil: String, login: String) throws -> String {
        let json = ServeRun.json
        let issued = try call(port: workstations, client: "workstation", token: school, "/v1/pupils/\(pupil)/activation-code", method: "POST")
        try Self.check(issued.http == "201", "\(issued)")
        let code = try Self.unwrap(json(issued.body)["activation_code"] as? String, "")
        let activated = try call(
            port: pupils, client: nil, token: nil, "/v1/pupil/activate", method: "POST", type: "application/json",
            body: #"{"activation_code":"\#(code)","login":"\#(login)","password":"synthetic pupil pass 1"}"#)
        try Self.check(activated.http == "204", "\(activated)")
        let signedIn = try call(
            port: pupils, client: nil, token: nil, "/v1/pupil/sessions", method: "POST", type: "application/json",
            body: #"{"login":"\#(login)","password":"synthetic pupil pass 1"}"#)
        return try Self.unwrap(json(signedIn.body)["token"] as? String, "\(signedIn)")
    }

    /// curl to `path` on `port`; with `client`, presents certs/clients/`client`.pem and .key.
    /// Returns curl's exit status, the HTTP status (`000` when none) and the body.
    public func curl(port: Int, path: String, client: String?, extra: [String] = []) throws -> (exit: Int32, http: String, body: String) {
        var arguments = ["-sS", "--max-time", "10", "--cacert", certs + "/gateway/ca-bundle.pem", "-w", "\n%{http_code}"]
        if let client { arguments += ["--cert", "\(certs)/clients/\(client).pem", "--key", "\(certs)/clients/\(client).key"] }
        arguments += extra + ["https://127.0.0.1:\(port)\(path)"]
        let result = try BiletProcess.run(arguments, environment: [:], executable: URL(fileURLWithPath: "/usr/bin/curl"))
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let http = lines.popLast() ?? ""
        return (result.status, http, lines.joined(separator: "\n"))
    }

    /// A JSON object body (empty when the body is not one).
    public static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    /// The JSON log lines with `message`.
    public static func records(_ lines: [String], message: String) -> [[String: Any]] {
        lines.compactMap { line in
            guard line.contains(message), let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["message"] as? String == message
            else { return nil }
            return object
        }
    }

    /// A failed step of the harness (a command that did not succeed, an answer that lacked what it needs).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        guard condition else { throw Failure(description: message()) }
    }

    static func unwrap<T>(_ value: T?, _ message: @autoclosure () -> String) throws -> T {
        guard let value else { throw Failure(description: message()) }
        return value
    }
}
