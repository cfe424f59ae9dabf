import Foundation

/// The API reference page's content, read from the contract: operations by tag with their parameters, bodies
/// and responses; the schemas; authentication; the problem types. Rendered on the server (`/api/docs`).
struct APIReference: Sendable {
    static let methods = ["get", "put", "post", "delete", "patch", "options", "head"]

    struct Parameter: Sendable { let name: String; let location: String; let type: String; let required: Bool; let description: String }
    struct Outcome: Sendable { let status: String; let description: String; let schema: String }
    struct Operation: Sendable {
        let id: String; let method: String; let path: String; let summary: String
        let parameters: [Parameter]; let hasParameters: Bool
        let requestBody: String?; let responses: [Outcome]; let writes: Bool
    }
    struct Tag: Sendable { let name: String; let description: String; let operations: [Operation] }
    struct Property: Sendable { let name: String; let type: String; let required: Bool; let description: String }
    struct Schema: Sendable { let name: String; let description: String; let properties: [Property]; let hasProperties: Bool; let type: String }
    struct ProblemType: Sendable { let anchor: String; let type: String; let status: Int; let title: String; let explanation: String }

    let title: String
    let version: String
    let description: [String]
    let tags: [Tag]
    let schemas: [Schema]
    let problems: [ProblemType]

    init(_ document: [String: Any]) {
        let info = document["info"] as? [String: Any] ?? [:]
        title = info["title"] as? String ?? "API"
        version = info["version"] as? String ?? ""
        description = (info["description"] as? String ?? "").components(separatedBy: "\n\n").filter { !$0.isEmpty }
        let components = document["components"] as? [String: Any] ?? [:]
        func component(_ ref: Any?, _ kind: String) -> [String: Any] {
            guard let ref = (ref as? [String: Any])?["$ref"] as? String else { return ref as? [String: Any] ?? [:] }
            let name = ref.components(separatedBy: "/").last ?? ""
            return (components[kind] as? [String: Any])?[name] as? [String: Any] ?? [:]
        }
        var byTag: [String: [Operation]] = [:]
        for (path, item) in (document["paths"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            for method in Self.methods {
                guard let op = (item as? [String: Any])?[method] as? [String: Any] else { continue }
                let parameters = (op["parameters"] as? [Any] ?? []).map { component($0, "parameters") }.map { p in
                    Parameter(name: p["name"] as? String ?? "", location: p["in"] as? String ?? "", type: Self.type(p["schema"]),
                              required: p["required"] as? Bool ?? false, description: p["description"] as? String ?? "")
                }
                let body = op["requestBody"].map { component($0, "requestBodies") }
                let requestBody = body.map { b in
                    let content = b["content"] as? [String: Any] ?? [:]
                    return content.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.type(($0.value as? [String: Any])?["schema"]))" }
                        .joined(separator: "; ") + ((b["required"] as? Bool ?? false) ? "" : " (optional)")
                }
                let responses = (op["responses"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { status, value in
                    let r = component(value, "responses")
                    let content = r["content"] as? [String: Any] ?? [:]
                    return Outcome(status: status, description: r["description"] as? String ?? "",
                                   schema: content.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.type(($0.value as? [String: Any])?["schema"]))" }
                                       .joined(separator: "; "))
                }
                let operation = Operation(id: op["operationId"] as? String ?? "", method: method.uppercased(), path: "/api/v1" + path,
                                          summary: op["summary"] as? String ?? "", parameters: parameters, hasParameters: !parameters.isEmpty,
                                          requestBody: requestBody, responses: responses, writes: method == "post")
                byTag[(op["tags"] as? [String])?.first ?? "Other", default: []].append(operation)
            }
        }
        tags = (document["tags"] as? [[String: Any]] ?? []).compactMap { tag in
            guard let name = tag["name"] as? String, let operations = byTag[name] else { return nil }
            return Tag(name: name, description: tag["description"] as? String ?? "", operations: operations)
        }
        schemas = (components["schemas"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { name, value in
            let schema = value as? [String: Any] ?? [:]
            let required = Set(schema["required"] as? [String] ?? [])
            let properties = (schema["properties"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { key, property in
                Property(name: key, type: Self.type(property), required: required.contains(key),
                         description: (property as? [String: Any])?["description"] as? String ?? "")
            }
            return Schema(name: name, description: schema["description"] as? String ?? "", properties: properties,
                          hasProperties: !properties.isEmpty, type: Self.type(schema))
        }
        problems = APIProblem.Kind.allCases.map {
            ProblemType(anchor: "problem-\($0.rawValue)", type: APIProblem.typeURI($0), status: Int($0.status.code), title: $0.title,
                        explanation: $0.explanation)
        }
    }

    /// A schema in a few words: `Claim`, `array of Comment`, `string or null`, `one of asc, desc`.
    static func type(_ value: Any?) -> String {
        guard let schema = value as? [String: Any] else { return "" }
        if let ref = schema["$ref"] as? String { return ref.components(separatedBy: "/").last ?? ref }
        if let values = schema["enum"] as? [Any] { return "one of " + values.map { "\($0)" }.joined(separator: ", ") }
        let types: [String] = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        let described = types.map { t -> String in
            switch t {
            case "array": "array of \(type(schema["items"]))"
            case "string": (schema["format"] as? String).map { "string (\($0))" } ?? "string"
            case "integer": (schema["format"] as? String).map { "integer (\($0))" } ?? "integer"
            default: t
            }
        }
        return described.isEmpty ? "any" : described.joined(separator: " or ")
    }
}
