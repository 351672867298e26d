/// The organisation registry: the operator, regions, schools and venues, each with its profile,
/// its place in the hierarchy and its data-processing agreement.
public enum OrganisationRegistry {}
