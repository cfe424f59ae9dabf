import Foundation

/// The contract file itself, for serving it and for the reference page.
public enum APIContract {
    /// openapi.yaml as shipped in this module's bundle.
    public static func yaml() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "openapi.yaml is missing from the IncentivesAPI bundle."])
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}
