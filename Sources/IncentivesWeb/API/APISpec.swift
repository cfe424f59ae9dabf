import Foundation
import IncentivesAPI
import Yams

/// The contract, read once at start-up: the YAML as written, the same document as JSON, the paths and their
/// methods (for 405s), and the reference page's content.
public struct APISpec: Sendable {
    public let yaml: String
    public let json: [UInt8]
    let paths: APIPathIndex
    let reference: APIReference

    public static func load() throws -> APISpec {
        let yaml = try APIContract.yaml()
        guard let document = normalized(try Yams.load(yaml: yaml)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "openapi.yaml is not a mapping."])
        }
        let json = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        var methods: [String: [String]] = [:]
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            methods[path] = (item as? [String: Any] ?? [:]).keys.filter { APIReference.methods.contains($0) }
        }
        return APISpec(yaml: yaml, json: [UInt8](json), paths: APIPathIndex(paths: methods), reference: APIReference(document))
    }

    /// YAML's mappings with string keys (what JSON has); response codes and the like become text.
    static func normalized(_ value: Any?) -> Any {
        switch value {
        case let mapping as [AnyHashable: Any]:
            return Dictionary(uniqueKeysWithValues: mapping.map { ("\($0.key.base)", normalized($0.value)) })
        case let mapping as [String: Any]:
            return mapping.mapValues { normalized($0) }
        case let sequence as [Any]:
            return sequence.map { normalized($0) }
        case let value?:
            return value
        case nil:
            return NSNull()
        }
    }
}
