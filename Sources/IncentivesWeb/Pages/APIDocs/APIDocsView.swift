import Foundation

/// The API reference page: the contract's operations, problems and schemas, with where to fetch the contract and how
/// to get a token. Built from the contract read at start-up and the page input.
struct APIDocsView: PageView {
    let shell: Shell
    let reference: APIReference
    /// Where the API answers: the public address and the API's prefix.
    let baseURL: String
    let rateLimit: Int
    let signedIn: Bool
    let yamlHref: String
    let jsonHref: String
    let tokensHref: String

    init(_ reference: APIReference, publicURL: String, rateLimit: Int, input: PageInput) {
        shell = Shell(input, title: "API reference")
        self.reference = reference
        baseURL = publicURL + APIGateway.prefix
        self.rateLimit = rateLimit
        signedIn = input.viewer != nil
        yamlHref = APISpec.yamlPath
        jsonHref = APISpec.jsonPath
        tokensHref = SitePath.tokens.href()
    }
}
