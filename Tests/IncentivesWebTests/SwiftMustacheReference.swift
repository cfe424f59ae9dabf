import Foundation
@testable import IncentivesWeb
import Mustache

/// swift-mustache as the pages used it before `PageTemplates`: the reference the new renderer is held to, byte for byte.
enum SwiftMustacheReference {
    /// The pragma naming the escape the pages used (`{{% CONTENT_TYPE: …}}` on a line of its own leaves no trace).
    static let pragma = "{{% CONTENT_TYPE: \(CodePointHTML.name)}}\n"

    static let pages: MustacheLibrary = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/IncentivesWeb/Templates")
            .standardizedFileURL
        var sources: [String: String] = [:]
        for case let file as URL in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        where file.pathExtension == "mustache" {
            sources[String(file.standardizedFileURL.path.dropFirst(root.path.count + 1).dropLast(".mustache".count))] =
                try! String(contentsOf: file, encoding: .utf8)
        }
        precondition(!sources.isEmpty, "no templates under \(root.path)")
        return library(sources)
    }()

    static func library(_ sources: [String: String]) -> MustacheLibrary {
        MustacheContentTypes.register(CodePointHTML(), named: CodePointHTML.name)
        return MustacheLibrary(templates: sources.mapValues { try! MustacheTemplate(string: pragma + $0) })
    }

    /// The pages' escape under swift-mustache, one code point at a time.
    struct CodePointHTML: MustacheContentType {
        static let name = "HTML_CODE_POINTS"
        func escapeText(_ text: String) -> String {
            var out: [UInt8] = []
            PageHTML.escape(text, into: &out)
            return String(decoding: out, as: UTF8.self)
        }
    }
}

// swift-mustache reads the view models with field tables through their tables too (computed names such as the shell's
// links exist only there).
extension Shell: MustacheParent {}
extension Shell.NavItem: MustacheParent {}
extension Shell.Crumb: MustacheParent {}
extension ClaimListView: MustacheParent {}
extension ClaimLine: MustacheParent {}
extension ListTab: MustacheParent {}
extension ListOption: MustacheParent {}
extension SortHeader: MustacheParent {}
extension ChartTable.Column: MustacheParent {}
extension ChartTable.Cell: MustacheParent {}
extension ChartTable.Row: MustacheParent {}
extension BarChart.Rect: MustacheParent {}
extension BarChart.Label: MustacheParent {}
extension BarChart.Line: MustacheParent {}
extension BarChart.LegendItem: MustacheParent {}
