import Foundation
import Settings
import Testing

@Suite struct SettingsLoaderTests {
    private func file(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-settings-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsWhenNothingIsConfigured() async throws {
        let settings = try await SettingsLoader(environment: [:]).load(file: nil)
        #expect(settings == BiletSettings())
        #expect(settings.database.url == nil)
        #expect(settings.database.poolSize == 10)
        #expect(settings.log.format == .json)
    }

    @Test func fileValuesAreRead() async throws {
        let path = try file("""
            {"database": {"url": "postgresql://db1,db2/bilet?target_session_attrs=read-write",
                          "pool_size": 25, "acquire_timeout_ms": 500},
             "log": {"level": "debug", "format": "text"}}
            """)
        let settings = try await SettingsLoader(environment: [:]).load(file: path)
        #expect(settings.database.url == "postgresql://db1,db2/bilet?target_session_attrs=read-write")
        #expect(settings.database.poolSize == 25)
        #expect(settings.database.acquireTimeout == .milliseconds(500))
        #expect(settings.log == LogSettings(level: .debug, format: .text))
    }

    @Test func environmentOverridesTheFile() async throws {
        let path = try file(#"{"database": {"pool_size": 25}, "log": {"level": "debug"}}"#)
        let settings = try await SettingsLoader(
            environment: ["BILET_DATABASE_POOL_SIZE": "7", "BILET_LOG_LEVEL": "error", "PATH": "/bin"]
        ).load(file: path)
        #expect(settings.database.poolSize == 7)
        #expect(settings.log.level == .error)
    }

    /// Each bad value is refused with the key that holds it and the expected form.
    @Test(arguments: [
        (#"{"database": {"pool_size": 0}}"#, "database.pool_size"),
        (#"{"database": {"pool_size": 501}}"#, "database.pool_size"),
        (#"{"database": {"pool_size": "many"}}"#, "database.pool_size"),
        (#"{"database": {"acquire_timeout_ms": -5}}"#, "database.acquire_timeout_ms"),
        (#"{"database": {"url": "not a connection string"}}"#, "database.url"),
        (#"{"database": {"url": ""}}"#, "database.url"),
        (#"{"log": {"level": "loud"}}"#, "log.level"),
        (#"{"log": {"format": "xml"}}"#, "log.format"),
    ])
    func badFileValueNamesTheKey(json: String, key: String) async throws {
        let path = try file(json)
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: [:]).load(file: path)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.key == key)
        #expect(error?.description.contains("'\(key)'") == true)
        #expect(error?.description.contains("expected") == true)
    }

    @Test(arguments: [
        ("BILET_DATABASE_POOL_SIZE", "twelve", "database.pool_size"),
        ("BILET_LOG_FORMAT", "yaml", "log.format"),
        ("BILET_DATABASE_ACQUIRE_TIMEOUT_MS", "60001", "database.acquire_timeout_ms"),
    ])
    func badEnvironmentValueNamesTheKey(variable: String, value: String, key: String) async throws {
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: [variable: value]).load(file: nil)
        }
        #expect(error?.code == .invalidValue)
        #expect(error?.key == key)
        #expect(error?.description.contains(variable) == true)
    }

    @Test func unknownFileKeyIsRefused() async throws {
        let path = try file(#"{"database": {"pool_sise": 5}}"#)
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: [:]).load(file: path)
        }
        #expect(error?.code == .unknownKey)
        #expect(error?.key == "database.pool_sise")
    }

    @Test func unknownEnvironmentKeyIsRefused() async throws {
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: ["BILET_DATABSE_URL": "host=x"]).load(file: nil)
        }
        #expect(error?.code == .unknownKey)
        #expect(error?.key == "BILET_DATABSE_URL")
    }

    @Test(arguments: ["{not json", "[1, 2]", "\"a string\""])
    func malformedFileIsRefused(json: String) async throws {
        let path = try file(json)
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: [:]).load(file: path)
        }
        #expect(error?.code == .malformedFile)
    }

    @Test func missingFileIsRefused() async throws {
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: [:]).load(file: "/nonexistent/bilet.json")
        }
        #expect(error?.code == .unreadableFile)
    }

    /// A rejected connection string may hold a password: the message never repeats it.
    @Test func rejectedSecretIsNotEchoed() async throws {
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: ["BILET_DATABASE_URL": "s3cr3t-passw0rd"]).load(file: nil)
        }
        #expect(error?.key == "database.url")
        #expect(error?.description.contains("s3cr3t") == false)
    }
}
