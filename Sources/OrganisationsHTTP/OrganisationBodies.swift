import Foundation
import Identity
import Organisations

/// `POST /v1/organisations`.
struct RegistrationBody: Decodable {
    let kind: String
    let id: String
    let region: String
    let name: String
    let address: String
    let inn: String
    let ogrn: String
    let agreement: DataProcessingAgreement
}

/// `PUT /v1/organisations/{kind}/{id}/profile`.
struct ProfileBody: Decodable {
    let name: String
    let address: String
    let profile: String?
}

/// An organisation as the routes answer it. The agreement's signatory is write-only: it is
/// recorded at registration and never sent back.
struct OrganisationBody: Encodable {
    struct Agreement: Encodable {
        let number: String
        let signedOn: String

        enum CodingKeys: String, CodingKey {
            case number
            case signedOn = "signed_on"
        }
    }

    let uri: String
    let kind: String
    let id: String
    let region: String?
    let name: String
    let address: String
    let profile: String
    let inn: String
    let ogrn: String
    let agreement: Agreement
    let createdAt: String
    let updatedAt: String

    enum CodingKeys: String, CodingKey {
        case uri, kind, id, region, name, address, profile, inn, ogrn, agreement
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ record: OrganisationRecord) {
        uri = record.uri
        kind = record.organisation.kind.rawValue
        id = record.organisation.id.value
        region = record.region
        name = record.name
        address = record.address
        profile = record.profile
        inn = record.inn
        ogrn = record.ogrn
        agreement = Agreement(number: record.agreement.number, signedOn: record.agreement.signedOn)
        let formatter = ISO8601DateFormatter()
        createdAt = formatter.string(from: record.createdAt)
        updatedAt = formatter.string(from: record.updatedAt)
    }
}

/// `GET /v1/organisations`.
struct OrganisationListBody: Encodable {
    let organisations: [OrganisationBody]
}
