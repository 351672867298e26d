/// The footprint's dimensions as data: 10 soft skills, 15 professional spheres, 54 competencies
/// and the awareness level. A test definition may score only onto these (the validator refuses
/// any other identifier), so every footprint value names a dimension the platform knows.
public struct DimensionCatalogue: Sendable {
    /// Every dimension, in catalogue order.
    public let dimensions: [FootprintDimension]
    /// The position of each identifier in ``dimensions``.
    public let index: [String: Int]

    /// A catalogue of `dimensions` (identifiers must be unique; a later duplicate is ignored).
    public init(_ dimensions: [FootprintDimension]) {
        var unique: [FootprintDimension] = []
        var index: [String: Int] = [:]
        for dimension in dimensions where index[dimension.id] == nil {
            index[dimension.id] = unique.count
            unique.append(dimension)
        }
        self.dimensions = unique
        self.index = index
    }

    /// Whether `id` names a dimension of the catalogue.
    public func contains(_ id: String) -> Bool { index[id] != nil }

    /// The dimensions of one kind.
    public func dimensions(of kind: FootprintDimension.Kind) -> [FootprintDimension] {
        dimensions.filter { $0.kind == kind }
    }

    /// The platform's catalogue.
    public static let standard = DimensionCatalogue(softSkills + spheres + competencies + awareness)

    static let softSkills: [FootprintDimension] = [
        ("teamwork", "Teamwork"), ("communication", "Communication"), ("critical_thinking", "Critical thinking"),
        ("creativity", "Creativity"), ("leadership", "Leadership"), ("self_organisation", "Self-organisation"),
        ("emotional_intelligence", "Emotional intelligence"), ("adaptability", "Adaptability"),
        ("responsibility", "Responsibility"), ("learning_to_learn", "Learning to learn"),
    ].map { FootprintDimension("soft.\($0.0)", .softSkill, $0.1) }

    static let spheres: [FootprintDimension] = [
        ("it", "Information technology"), ("engineering", "Engineering and manufacturing"),
        ("medicine", "Medicine and health"), ("education", "Education"), ("science", "Natural sciences"),
        ("agriculture", "Agriculture and food"), ("construction", "Construction and architecture"),
        ("transport", "Transport and logistics"), ("finance", "Finance and economics"), ("law", "Law and public service"),
        ("arts", "Arts and design"), ("media", "Media and communications"), ("sport", "Sport and tourism"),
        ("ecology", "Ecology and natural resources"), ("services", "Services and trade"),
    ].map { FootprintDimension("sphere.\($0.0)", .sphere, $0.1) }

    static let competencies: [FootprintDimension] = [
        ("programming", "Programming"), ("data_analysis", "Data analysis"), ("mathematics", "Mathematical reasoning"),
        ("physics", "Applied physics"), ("chemistry", "Laboratory chemistry"), ("biology", "Biology"),
        ("drawing", "Technical drawing"), ("modelling_3d", "3D modelling"), ("electronics", "Electronics"),
        ("robotics", "Robotics"), ("mechanics", "Mechanics"), ("welding", "Welding"), ("machining", "Machining"),
        ("first_aid", "First aid"), ("patient_care", "Patient care"), ("teaching", "Teaching"),
        ("public_speaking", "Public speaking"), ("writing", "Writing"), ("foreign_languages", "Foreign languages"),
        ("negotiation", "Negotiation"), ("sales", "Sales"), ("accounting", "Accounting"),
        ("financial_literacy", "Financial literacy"), ("project_management", "Project management"),
        ("entrepreneurship", "Entrepreneurship"), ("legal_literacy", "Legal literacy"), ("graphic_design", "Graphic design"),
        ("music", "Music"), ("photo_video", "Photo and video"), ("journalism", "Journalism"), ("agronomy", "Agronomy"),
        ("animal_care", "Animal care"), ("cooking", "Cooking"), ("driving", "Driving and vehicles"),
        ("logistics_planning", "Logistics planning"), ("surveying", "Surveying"), ("architecture_design", "Architectural design"),
        ("construction_trades", "Construction trades"), ("environmental_monitoring", "Environmental monitoring"),
        ("geography", "Geography and cartography"), ("history", "History and heritage"), ("psychology", "Psychology"),
        ("social_work", "Social work"), ("coaching", "Sports coaching"), ("hospitality", "Hospitality"),
        ("customer_service", "Customer service"), ("cybersecurity", "Cybersecurity"), ("networking", "Computer networks"),
        ("ai_literacy", "AI literacy"), ("research", "Research methods"), ("experiment_design", "Experiment design"),
        ("quality_control", "Quality control"), ("safety", "Occupational safety"), ("volunteering", "Volunteering"),
    ].map { FootprintDimension("competency.\($0.0)", .competency, $0.1) }

    static let awareness: [FootprintDimension] = [
        FootprintDimension("awareness.level", .awareness, "Awareness of the world of professions")
    ]
}
