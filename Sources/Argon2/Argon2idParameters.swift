extension Argon2id {
    /// Cost and size parameters of Argon2id (RFC 9106 section 3.1).
    ///
    /// The default is RFC 9106 section 4's second recommended option for memory-constrained
    /// environments: t = 3 passes, m = 64 MiB, p = 4 lanes, a 128-bit salt and a 256-bit tag.
    /// Every value is validated against ``Limits`` so that a parameter set read back from an
    /// encoded hash cannot ask for unbounded work or memory.
    public struct Parameters: Hashable, Sendable {
        /// Number of passes over memory (t).
        public let iterations: UInt32
        /// Memory size in KiB (m); at least 8 × ``parallelism``.
        public let memoryKiB: UInt32
        /// Number of lanes (p); libargon2 also uses this many threads.
        public let parallelism: UInt32
        /// Length in bytes of the random salt that ``Argon2id/hash(password:parameters:)-(String,_)``
        /// generates.
        public let saltLength: Int
        /// Length in bytes of the tag (hash output).
        public let hashLength: Int

        /// The accepted ranges.
        public enum Limits {
            /// 1 ... 1 000 passes.
            public static let iterations: ClosedRange<UInt32> = 1...1_000
            /// Up to 4 GiB; the lower bound is 8 × parallelism (checked separately).
            public static let maximumMemoryKiB: UInt32 = 4 * 1024 * 1024
            /// 1 ... 64 lanes.
            public static let parallelism: ClosedRange<UInt32> = 1...64
            /// 8 ... 64 bytes of salt (RFC 9106 recommends 16).
            public static let saltLength: ClosedRange<Int> = 8...64
            /// 16 ... 64 bytes of tag.
            public static let hashLength: ClosedRange<Int> = 16...64
        }

        /// RFC 9106's second recommended option: t = 3, m = 65 536 KiB, p = 4, 16-byte salt,
        /// 32-byte tag.
        public static let rfc9106SecondRecommended = Parameters(
            unchecked: 3, memoryKiB: 64 * 1024, parallelism: 4, saltLength: 16, hashLength: 32)

        /// Validated parameters; the defaults are ``rfc9106SecondRecommended``.
        ///
        /// - Throws: ``Argon2Error/Code/invalidParameter`` naming the first parameter out of range.
        public init(
            iterations: UInt32 = 3,
            memoryKiB: UInt32 = 64 * 1024,
            parallelism: UInt32 = 4,
            saltLength: Int = 16,
            hashLength: Int = 32
        ) throws(Argon2Error) {
            guard Limits.iterations.contains(iterations) else { throw .invalid(.iterations) }
            guard Limits.parallelism.contains(parallelism) else { throw .invalid(.parallelism) }
            guard memoryKiB >= 8 * parallelism, memoryKiB <= Limits.maximumMemoryKiB else {
                throw .invalid(.memoryKiB)
            }
            guard Limits.saltLength.contains(saltLength) else { throw .invalid(.saltLength) }
            guard Limits.hashLength.contains(hashLength) else { throw .invalid(.hashLength) }
            self.init(unchecked: iterations, memoryKiB: memoryKiB, parallelism: parallelism,
                      saltLength: saltLength, hashLength: hashLength)
        }

        private init(unchecked iterations: UInt32, memoryKiB: UInt32, parallelism: UInt32, saltLength: Int, hashLength: Int) {
            self.iterations = iterations
            self.memoryKiB = memoryKiB
            self.parallelism = parallelism
            self.saltLength = saltLength
            self.hashLength = hashLength
        }
    }
}
