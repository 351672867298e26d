/// A pupil's consents page: each consent with its purpose and state in Russian, its date as
/// Russians write it, and whether its scan is attached.
public enum PupilConsentsPage {
    /// One consent of a pupil, as the pupil's consents page shows it.
    public struct Consent: Sendable, Hashable {
        public let consent: String
        public let purpose: String
        public let status: String
        /// `ДД.ММ.ГГГГ`.
        public let signedOn: String
        public let scan: Bool

        public init(consent: String, purpose: String, status: String, signedOn: String, scan: Bool) {
            self.consent = consent
            self.purpose = ConsentGapsPage.label(purpose)
            self.status = ConsentGapsPage.status(status)
            self.signedOn = RussianFormat.date(iso: signedOn)
            self.scan = scan
        }
    }
}
