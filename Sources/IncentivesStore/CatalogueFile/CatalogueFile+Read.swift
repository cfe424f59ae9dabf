import Foundation
import IncentivesDomain
import Yams

/// Something wrong in a catalogue file, at its line.
public struct CatalogueFileProblem: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// A catalogue file refused before anything is written: every problem found, each with its line.
public struct CatalogueFileRefused: Error, Sendable, CustomStringConvertible {
    public var problems: [CatalogueFileProblem]
    public var description: String {
        "The catalogue file was not imported (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n"
            + problems.map { "  \($0)" }.joined(separator: "\n")
    }
}

extension CatalogueFile {
    /// Reads a catalogue file: every problem with its line, or the document. The terms of each version are read by
    /// the same rules as the console's form (`EngagementTermsInput`), so a file refuses what a page refuses.
    public static func read(_ text: String) throws -> CatalogueDocument {
        var reader = Reader()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw CatalogueFileRefused(problems: [CatalogueFileProblem(line: Reader.line(of: error), message: "This is not YAML: \(error)")])
        }
        guard let root, let top = reader.mapping(root, "the file") else {
            throw CatalogueFileRefused(problems: reader.problems.isEmpty ? [.init(line: 1, message: "The file is empty.")] : reader.problems)
        }
        if reader.string(top, "format", required: true) != CatalogueDocument.format {
            reader.problem(top["format"] ?? root, "The first key is `format: \(CatalogueDocument.format)`: this file is not a catalogue of this version.")
        }
        let program = top["program"].flatMap { reader.program($0) }
        let areas = reader.sequence(top["solution_areas"], "solution_areas").compactMap { reader.area($0) }
        var partnerNames: [String] = []
        let partners = reader.sequence(top["partners"], "partners").compactMap { reader.partner($0, taken: &partnerNames) }
        let engagements = reader.sequence(top["engagements"], "engagements").compactMap { reader.engagement($0) }
        reader.checkReferences(areas: areas, engagements: engagements, nodes: top)
        reader.checkPlaces(engagements)
        guard reader.problems.isEmpty else { throw CatalogueFileRefused(problems: reader.problems.sorted { $0.line < $1.line }) }
        return CatalogueDocument(program: program, areas: areas, engagements: engagements, partners: partners)
    }
}

/// Walks the YAML, collecting problems rather than stopping at the first, so one run shows them all.
struct Reader {
    var problems: [CatalogueFileProblem] = []
    /// Lines of the records read, for problems found once the whole file is read.
    var areaLines: [String: Int] = [:], engagementLines: [String: Int] = [:]
    /// The line of each location's partner, and of each engagement's eligibility entries.
    var placeLines: [CatalogueFile.PlaceKey: Int] = [:], eligibilityLines: [String: [CatalogueFile.PlaceKey: Int]] = [:]

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _): mark.line
        default: 1
        }
    }

    mutating func problem(_ node: Node, _ message: String) {
        problems.append(CatalogueFileProblem(line: node.mark?.line ?? 1, message: message))
    }

    mutating func mapping(_ node: Node, _ what: String) -> Node.Mapping? {
        guard case .mapping(let mapping) = node else { problem(node, "\(what) must be a mapping of keys to values."); return nil }
        return mapping
    }

    mutating func sequence(_ node: Node?, _ key: String) -> [Node] {
        guard let node else { return [] }
        guard case .sequence(let sequence) = node else { problem(node, "`\(key)` must be a list."); return [] }
        return Array(sequence)
    }

    /// A scalar's text; a missing required key is a problem at its mapping's line.
    mutating func string(_ mapping: Node.Mapping, _ key: String, required: Bool = false) -> String? {
        guard let node = mapping[key] else {
            if required { problems.append(CatalogueFileProblem(line: mapping.mark?.line ?? 1, message: "`\(key)` is missing.")) }
            return nil
        }
        guard case .scalar(let scalar) = node else { problem(node, "`\(key)` must be a single value."); return nil }
        if scalar.tag == .implicit, scalar.style == .plain, scalar.string == "null" || scalar.string == "~" { return nil }
        return scalar.string
    }

    mutating func strings(_ mapping: Node.Mapping, _ key: String) -> [String] {
        sequence(mapping[key], key).compactMap { node in
            guard case .scalar(let scalar) = node else { problem(node, "Each item of `\(key)` is a single value."); return nil }
            return scalar.string
        }
    }

    mutating func day(_ mapping: Node.Mapping, _ key: String, required: Bool = false) -> DayDate? {
        guard let text = string(mapping, key, required: required) else { return nil }
        guard let day = DayDate(text) else { problem(mapping[key]!, "`\(key)`: \(text) is not a date (YYYY-MM-DD)."); return nil }
        return day
    }

    mutating func instant(_ mapping: Node.Mapping, _ key: String, required: Bool = false) -> Date? {
        guard let text = string(mapping, key, required: required) else { return nil }
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
        guard let date = try? style.parse(text) ?? Date.ISO8601FormatStyle().parse(text) else {
            problem(mapping[key]!, "`\(key)`: \(text) is not an instant such as 2026-12-01T00:00:00.000Z.")
            return nil
        }
        return date
    }

    mutating func number(_ mapping: Node.Mapping, _ key: String, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let text = string(mapping, key, required: required) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            problem(mapping[key]!, "`\(key)`: \(text) is not a whole number from \(range.lowerBound) to \(range.upperBound)."); return nil
        }
        return value
    }

    mutating func choice<T: RawRepresentable>(_ mapping: Node.Mapping, _ key: String, _ type: T.Type) -> T? where T.RawValue == String, T: CaseIterable {
        guard let text = string(mapping, key, required: true) else { return nil }
        guard let value = T(rawValue: text) else {
            problem(mapping[key]!, "`\(key)`: \(text) is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))."); return nil
        }
        return value
    }
}
