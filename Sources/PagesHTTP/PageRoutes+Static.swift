import Accounts
import Gateway
import HTTPTypes
import Hummingbird
import Identity
import Pages

extension PageRoutes {
    /// The stylesheet under its hashed name; any other name is `404`.
    static func addStatic(to router: Router<BiletRequestContext>, _ kit: PageKit) {
        router.get("/app/static/:file") { _, context -> Response in
            guard context.parameters.get("file") == kit.assets.stylesheetName else {
                return kit.errorPage(.notFound, "Такого файла нет.", staff: nil, back: "/app/sign-in")
            }
            var buffer = ByteBuffer()
            buffer.writeBytes(kit.assets.stylesheet)
            return Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: StaticAssets.cacheControl],
                body: .init(byteBuffer: buffer))
        }
    }
}
