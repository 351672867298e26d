import Accounts
import Foundation

/// `POST /v1/staff`.
struct CreateStaffBody: Decodable {
    let login: String
    let role: String
    /// `school/77-1234` or `bilet://school/77-1234`; the caller's own organisation when absent.
    let organisation: String?
    let region: String?
}

/// `201` of `POST /v1/staff` and `POST /v1/staff/{account}/activation-code`.
struct IssuedBody: Encodable {
    let account: String?
    let activationCode: String
    let activationExpiresAt: String

    enum CodingKeys: String, CodingKey {
        case account
        case activationCode = "activation_code"
        case activationExpiresAt = "activation_expires_at"
    }

    init(_ issued: IssuedActivationCode, withAccount: Bool) {
        account = withAccount ? issued.accountID : nil
        activationCode = issued.code.text
        activationExpiresAt = ISO8601DateFormatter().string(from: issued.expiresAt)
    }
}

/// One account of `GET /v1/staff`, and `GET /v1/staff/me`.
struct StaffAccountBody: Encodable {
    let account: String
    let login: String
    let role: String
    let organisation: String
    let region: String?
    let status: String
    let consentRecorded: Bool

    enum CodingKeys: String, CodingKey {
        case account, login, role, organisation, region, status
        case consentRecorded = "consent_recorded"
    }

    init(_ status: StaffAccountStatus) {
        account = status.id
        login = status.login
        role = status.role.rawValue
        organisation = OrganisationURI.string(status.organisation)
        region = status.region
        self.status = status.status.rawValue
        consentRecorded = status.consentRecorded
    }
}

/// `GET /v1/staff`.
struct StaffListBody: Encodable {
    let accounts: [StaffAccountBody]
}

/// `POST /v1/staff/activate` and `POST /v1/pupil/activate`.
struct ActivateBody: Decodable {
    let login: String
    let activationCode: String
    let password: String

    enum CodingKeys: String, CodingKey {
        case login, password
        case activationCode = "activation_code"
    }
}

/// `POST /v1/staff/me/consent`.
struct ConsentBody: Decodable {
    let version: String
}
