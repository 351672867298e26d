import Gateway
import HTTPTypes
import Hummingbird
import Identity
import VaultDoor

/// The modules' door (`/v1/modules/…`): backend modules (assessment, trials, recommendations) ask
/// the vault over mTLS with their service certificates (`bilet://service/<module>`), without a
/// session: the verified certificate is the caller.
///
/// - `POST /v1/modules/tokens/translate` `{token, to, purpose}`: the pupil's pairwise token in
///   module `to`, where the policy allows (by default a module presents only its own tokens, and
///   gets another module's only if a rule lets it read the pupil for that module's purpose: none
///   does, so a module only ever gets its own tokens). Audited `token.resolved`.
/// - `POST /v1/modules/pupils/read` `{token, fields, purpose}`: the fields the module's purpose
///   allows of the pupil named by the module's own token (`service.<module>.pupil` rules); a
///   field outside is refused (`403 fields-not-granted`, or `403 forbidden` for names and
///   contacts). Audited `pii.read`.
///
/// Any other caller (a workstation, a pupil, a service that is not a module) gets exactly the
/// answer of a path no route serves (`404 route-not-found`): the door is not there for them.
enum ModuleRoutes {
    /// The largest JSON body these routes read.
    static let bodyLimit = 4 * 1024

    static func add(to router: Router<BiletRequestContext>, door: VaultDoorClient) {
        let modules = router.group("/v1/modules")
        modules.post("tokens/translate") { request, context -> Response in
            let service = try caller(of: context)
            let body = try await JSONBody.decode(TranslateBody.self, from: request, limit: bodyLimit)
            guard case .modules(.token(let token)) = try await DoorCalls.call(
                door, .modules(.translate(token: body.token, to: body.to, purpose: body.purpose), service: service))
            else { throw Problem.internalError }
            return JSONBody.response(.ok, TokenBody(token: token, module: body.to))
        }
        modules.post("pupils/read") { request, context -> Response in
            let service = try caller(of: context)
            let body = try await JSONBody.decode(ReadBody.self, from: request, limit: bodyLimit)
            guard case .modules(.fields(let token, let fields)) = try await DoorCalls.call(
                door, .modules(.read(token: body.token, fields: body.fields, purpose: body.purpose), service: service))
            else { throw Problem.internalError }
            return JSONBody.response(.ok, FieldsBody(token: token, fields: fields))
        }
    }

    /// The modules whose service certificates open this door.
    static let modules: Set<String> = ["assessment", "trials", "recommendations"]

    /// The service of the connection's verified client certificate, when it is a module's.
    ///
    /// - Throws: ``Problem/routeNotFound`` for any other caller.
    static func caller(of context: BiletRequestContext) throws(Problem) -> ServiceCaller {
        guard case .service(let name)? = context.principal, modules.contains(name.value) else { throw Problem.routeNotFound }
        return ServiceCaller(service: name.value)
    }

    struct TranslateBody: Decodable {
        let token: String
        let to: String
        let purpose: String
    }

    struct ReadBody: Decodable {
        let token: String
        let fields: [String]
        let purpose: String
    }

    struct TokenBody: Encodable {
        let token: String
        let module: String
    }

    struct FieldsBody: Encodable {
        let token: String
        let fields: [String: String]
    }
}
