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
    let nulls: ResponseNulls

    /// Where the contract is served, to anyone: as written, and as JSON.
    static let yamlPath = APIGateway.prefix + "/openapi.yaml"
    static let jsonPath = APIGateway.prefix + "/openapi.json"

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
        return APISpec(yaml: yaml, json: [UInt8](json), paths: APIPathIndex(paths: methods), reference: APIReference(document),
                       nulls: ResponseNulls(document: document))
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

/// Writes `null` for the required-but-nullable keys the generated types leave out. The contract lists every key of a
/// response as required (absent values are `null`, as in `ClaimJSON`), but the generated encoders skip nil
/// optionals; this puts them back, guided by the response's schema in the contract.
final class ResponseNulls: @unchecked Sendable {
    // Read-only after init: the contract's parsed JSON, shared by every request.
    private let schemas: [String: Any]
    private let responses: [String: [String: Any]]

    init(document: [String: Any]) {
        let components = document["components"] as? [String: Any] ?? [:]
        schemas = components["schemas"] as? [String: Any] ?? [:]
        let sharedResponses = components["responses"] as? [String: Any] ?? [:]
        var responses: [String: [String: Any]] = [:]
        for (path, item) in document["paths"] as? [String: Any] ?? [:] {
            for (method, op) in item as? [String: Any] ?? [:] {
                for (status, response) in (op as? [String: Any])?["responses"] as? [String: Any] ?? [:] {
                    var response = response as? [String: Any] ?? [:]
                    if let ref = response["$ref"] as? String {
                        response = sharedResponses[ref.components(separatedBy: "/").last ?? ""] as? [String: Any] ?? [:]
                    }
                    let content = response["content"] as? [String: Any] ?? [:]
                    if let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] {
                        responses["\(method.uppercased()) \(path) \(status)"] = schema
                    }
                }
            }
        }
        self.responses = responses
    }

    /// The body with its missing required keys as `null`; unchanged when the operation's answer has no JSON schema.
    func fill(_ body: [UInt8], method: String, path: String, status: Int) -> [UInt8] {
        guard let schema = responses["\(method) \(path) \(status)"],
              let value = try? JSONSerialization.jsonObject(with: Data(body)),
              let data = try? JSONSerialization.data(withJSONObject: fill(value, schema), options: [.withoutEscapingSlashes]) else {
            return body
        }
        return [UInt8](data)
    }

    private func fill(_ value: Any, _ schema: [String: Any]) -> Any {
        var schema = schema
        if let ref = schema["$ref"] as? String { schema = schemas[ref.components(separatedBy: "/").last ?? ""] as? [String: Any] ?? [:] }
        if var object = value as? [String: Any] {
            for name in schema["required"] as? [String] ?? [] where object[name] == nil { object[name] = NSNull() }
            for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
                if let inner = object[name], !(inner is NSNull), let property = property as? [String: Any] { object[name] = fill(inner, property) }
            }
            return object
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] { return array.map { fill($0, items) } }
        return value
    }
}
