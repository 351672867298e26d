public import Gateway
public import Hummingbird

/// Staff accounts managed by their organisation's administrator (`/v1/staff…`).
public enum StaffRoutes {
    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>) {}
}
