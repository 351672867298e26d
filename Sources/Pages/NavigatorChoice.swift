/// The navigators on a pupil's page: those assigned (until when) and the school's navigator
/// accounts one can assign.
public enum NavigatorChoice {
    /// A navigator account of the school, as the choice lists it.
    public struct Option: Sendable, Hashable {
        public let id: String
        public let login: String

        public init(id: String, login: String) {
            self.id = id
            self.login = login
        }
    }

    /// A current assignment.
    public struct Assignment: Sendable, Hashable {
        public let navigator: String
        /// The navigator's login when the school still lists the account; otherwise its id.
        public let name: String
        /// `ДД.ММ.ГГГГ`.
        public let validUntil: String

        public init(navigator: String, name: String, validUntil: String) {
            self.navigator = navigator
            self.name = name
            self.validUntil = RussianFormat.date(iso: validUntil)
        }
    }
}
