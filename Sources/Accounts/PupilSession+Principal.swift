public import Policy

extension PupilSession {
    /// The pupil's policy principal: role `pupil` with the account (`user`), the pupil's own vault
    /// token (`pupil`), the school (`organisation`) and the region, as the schema declares them.
    public var principal: Principal {
        Principal(
            role: "pupil",
            attributes: [
                "user": .entity(EntityRef("user", accountID)), "pupil": .entity(EntityRef("pupil", pupil)),
                "organisation": .entity(EntityRef(school.kind.rawValue, school.id.value)), "region": .entity(EntityRef("region", region)),
            ])
    }
}
