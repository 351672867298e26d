import HTTPTypes
import Testing

@testable import Gateway

/// ``RouteTable/methods(forPath:)``: what tells `404 route-not-found` from `405 method-not-allowed`.
@Suite struct RouteTableTests {
    static let table = RouteTable([
        .init(method: .get, path: "/v1/pupils/{token}"),
        .init(method: .delete, path: "/v1/pupils/{token}"),
        .init(method: .post, path: "/v1/pupils/search"),
        .init(method: .post, path: "/v1/pupils"),
        .init(method: .get, path: "/files/**"),
        .init(method: .get, path: "/images/*.png"),
        .init(method: .get, path: "/"),
        .init(method: .get, path: "/v1/pupils/{token}/**"),
    ])

    @Test func aCaptureMatchesOneSegmentOnly() {
        #expect(Self.table.methods(forPath: "/v1/pupils/T-1") == [.get, .delete])
        #expect(Self.table.methods(forPath: "/v1/pupils/T-1/") == [.get, .delete])
        #expect(Self.table.methods(forPath: "/v1/duplicates/T-1/more") == nil)
        #expect(Self.table.methods(forPath: "/v1/pupils") == [.post])
    }

    @Test func aLiteralWinsOverACapture() {
        #expect(Self.table.methods(forPath: "/v1/pupils/search") == [.post])
    }

    @Test func anOpenEndedPathMatchesLongerPathsButLosesToAFixedOneOfTheSameLength() {
        // "/v1/pupils/{token}/**" is looked for among every length, the fixed paths only among theirs
        #expect(Self.table.methods(forPath: "/v1/pupils/T-1/more") == [.get])
        #expect(Self.table.methods(forPath: "/v1/pupils/T-1/a/b/c/d/e/f/g") == [.get])
        #expect(Self.table.methods(forPath: "/v1/pupils/T-1") == [.get, .delete])
    }

    @Test func restSuffixAndRoot() {
        #expect(Self.table.methods(forPath: "/files/a/b/c") == [.get])
        #expect(Self.table.methods(forPath: "/images/logo.png") == [.get])
        #expect(Self.table.methods(forPath: "/images/logo.svg") == nil)
        #expect(Self.table.methods(forPath: "/") == [.get])
        #expect(Self.table.methods(forPath: "/v2/pupils/T-1") == nil)
    }
}
