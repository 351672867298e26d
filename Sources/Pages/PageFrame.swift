/// What the layout around every page shows: the stylesheet, the signed-in staff member's menu and
/// the sign-out form (with the session's CSRF token).
public struct PageFrame: Sendable, Hashable {
    /// The stylesheet's path with its content hash (``StaticAssets/stylesheetPath``).
    public var stylesheet: String
    /// The CSRF token of the session or of the sign-in, put in every form of the page.
    public var csrf: String
    /// Whether a staff session is signed in (the sign-out button).
    public var signedIn: Bool
    /// Whether the menu is shown (signed in, with the staff consent recorded).
    public var menu: Bool
    /// Whether the signed-in staff member works for a school (the school's menu entries).
    public var school: Bool
    /// Whether the signed-in staff member is a compliance officer (the officer's menu entries).
    public var officer: Bool = false
    /// Whether the signed-in staff member is a regional coordinator, works for a venue, or is a
    /// venue's mentor (each role's menu entries).
    public var coordinator: Bool = false
    public var venue: Bool = false
    public var mentor: Bool = false
    /// Whether the signed-in staff member is a school's navigator (the navigator's menu entries).
    public var navigator: Bool = false
    /// Whether the signed-in staff member is a methodologist (the methodologist's menu entries).
    public var methodologist: Bool = false
    /// Whether the signed-in staff member is a security administrator (the certificates' menu entries).
    public var securityAdmin: Bool = false
    /// The role as Russians name it (``RussianFormat/role(_:)``); empty when signed out.
    public var role: String
    /// Whether a pupil is signed in on the pupils' listener (the pupil's menu and sign-out).
    public var pupil: Bool = false

    public init(stylesheet: String, csrf: String, signedIn: Bool = false, menu: Bool = false, school: Bool = false, role: String = "") {
        self.stylesheet = stylesheet
        self.csrf = csrf
        self.signedIn = signedIn
        self.menu = menu
        self.school = school
        self.role = role
    }
}
