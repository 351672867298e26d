import Synchronization

/// Published test versions, validated and compiled once (attack review #11): a published version
/// is immutable (a trigger refuses any change), so its parsed definition and scoring key can be
/// reused by every session of every pupil. Drafts are never kept. At most ``capacity`` versions
/// are held; when full, the table is cleared (versions in use come back at their next request).
final class ValidatedTestCache: Sendable {
    struct Key: Hashable, Sendable {
        let code: String
        let version: Int
    }

    let capacity: Int
    private let tests = Mutex<[Key: ValidatedTest]>([:])

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 1)
    }

    func get(code: String, version: Int) -> ValidatedTest? {
        tests.withLock { $0[Key(code: code, version: version)] }
    }

    func put(_ test: ValidatedTest, code: String, version: Int) {
        let capacity = self.capacity
        tests.withLock { tests in
            if tests.count >= capacity { tests.removeAll(keepingCapacity: true) }
            tests[Key(code: code, version: version)] = test
        }
    }

    var count: Int { tests.withLock { $0.count } }
}
