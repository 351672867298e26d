/// What the seed made: the counts of its summary, the staff sign-ins (development passwords),
/// and, written only where `--write-manifest` asks, the synthetic pupils' personal data, so a
/// test can look for it where it must not be.
public struct SeedManifest: Sendable, Codable {
    /// The counts the summary prints.
    public struct Counts: Sendable, Codable, Hashable {
        public var schools = 0
        public var venues = 0
        public var places = 0
        public var staff = 0
        public var pupils = 0
        public var pupilsWithoutFullConsent = 0
        public var navigatorAssignments = 0
        public var events = 0
        public var eventsApproved = 0
        public var enrolmentsSeated = 0
        public var enrolmentsWaiting = 0
        public var attendanceMarked = 0
        public var testsPublished = 0
        public var assignments = 0
        public var pupilsActivated = 0
        public var testsSubmitted = 0
        public var recommendationsGenerated = 0
        public var recommendationsPublished = 0
        public var opportunities = 0
    }

    /// A staff sign-in of the seeded region (development only).
    public struct StaffLogin: Sendable, Codable, Hashable {
        /// The login.
        public let login: String
        /// The role.
        public let role: String
        /// The organisation (`school/99-0001`).
        public let organisation: String
        /// The workstation certificate it signs in with (a path).
        public let certificate: String
    }

    /// A pupil who signs in on the pupils' listener.
    public struct PupilLogin: Sendable, Codable, Hashable {
        /// The login.
        public let login: String
        /// The school.
        public let school: String
    }

    /// The region's id.
    public var region: String
    /// The PRNG seed.
    public var seedValue: UInt64
    /// The scale.
    public var scale: SeedScale
    /// The counts.
    public var counts = Counts()
    /// The staff password (every seeded staff account's; development only).
    public var staffPassword: String
    /// The pupils' password (every activated pupil's; development only).
    public var pupilPassword: String
    /// The staff sign-ins.
    public var staff: [StaffLogin] = []
    /// The activated pupils.
    public var pupilLogins: [PupilLogin] = []
    /// The school ids.
    public var schools: [String] = []
    /// The venue ids.
    public var venues: [String] = []
    /// The synthetic pupils, in import order per school (the manifest file only; never printed).
    public var pupils: [SyntheticPupil] = []
}
