/// A pupil's answer to one question, in the JSON the pupil's app sends:
/// `{"choice": "a"}` (single choice), `{"choices": ["a", "c"]}` (multiple choice),
/// `{"value": 4}` (scale) or `{"order": ["x", "z", "y"]}` (ordering, first = most).
public enum Answer: Sendable, Hashable, Codable {
    case choice(String)
    case choices([String])
    case value(Int)
    case order([String])

    enum CodingKeys: String, CodingKey {
        case choice, choices, value, order
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "an answer has exactly one of choice, choices, value, order"))
        }
        switch key {
        case .choice: self = .choice(try container.decode(String.self, forKey: key))
        case .choices: self = .choices(try container.decode([String].self, forKey: key))
        case .value: self = .value(try container.decode(Int.self, forKey: key))
        case .order: self = .order(try container.decode([String].self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .choice(let id): try container.encode(id, forKey: .choice)
        case .choices(let ids): try container.encode(ids, forKey: .choices)
        case .value(let value): try container.encode(value, forKey: .value)
        case .order(let ids): try container.encode(ids, forKey: .order)
        }
    }
}
