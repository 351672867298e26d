public import Gateway
public import Hummingbird

/// The organisation registry's routes (`/v1/organisations…`).
public enum OrganisationRoutes {
    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>) {}
}
