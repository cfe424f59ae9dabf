import Foundation
import IncentivesDomain
@testable import IncentivesWeb
import Testing

@Suite("Site paths: one typed address per page")
struct SitePathTests {
    @Test("the pages' router serves every SitePath and nothing else")
    func routerMatchesSitePaths() async throws {
        try await WebHarness.with { app in
            let routed = Set(buildRouter(app.deps).routes.map { "\($0.path)" })
            let typed = Set(SitePath.all.map(\.path))
            #expect(routed.subtracting(typed).isEmpty, "routes with no SitePath: \(routed.subtracting(typed).sorted())")
            #expect(typed.subtracting(routed).isEmpty, "SitePaths no route serves: \(typed.subtracting(routed).sorted())")
        }
    }

    @Test("links fill the parameters and encode what a path or a query can't hold")
    func links() {
        #expect(SitePath.claim(.id(42)).href() == "/claims/42")
        #expect(SitePath.claimDocument(.id(42), proof: .id(7)).href() == "/claims/42/documents/7")
        #expect(SitePath.claim(.key).path == "/claims/{id}")
        #expect(SitePath.engagementTemplate(.id(3), kind: .text("a/b c")).href() == "/engagements/3/templates/a%2Fb%20c")
        #expect(SitePath.claims.href([("q", "a&b=c"), ("status", "approved")]) == "/claims?q=a%26b%3Dc&status=approved")
        #expect(SitePath.claimsExport(.csv).href() == "/claims.csv")
    }
}
