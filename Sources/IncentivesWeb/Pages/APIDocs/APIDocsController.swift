import Foundation
import Hummingbird

/// `/api/docs`: the reference, rendered from the contract on the server, open to anyone.
struct APIDocsController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppRequestContext>) {
        router.get(SitePath.apiDocs.pattern, use: show)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        deps.page("api-docs", APIDocsView(deps.apiSpec.reference, publicURL: deps.config.publicURL, rateLimit: deps.config.apiRateLimit,
                                          input: deps.pageInput(context)))
    }
}
