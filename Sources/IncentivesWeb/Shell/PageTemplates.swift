import Foundation
import IncentivesDomain
import Mustache

/// The page templates, and the one HTML escape every `{{value}}` in them goes through.
///
/// swift-mustache's own HTML escape compares Swift `Character`s: a quote followed by a combining mark (U+0301) or an
/// emoji modifier (U+1F3FB) is one `Character` that is not a quote, so it went out raw and a typed text could leave
/// its attribute (`value="…"`). A browser reads code points; so does `PageHTML`.
enum PageTemplates {
    /// The pragma each template is read with: the library gives every template and partial its own HTML escape
    /// unless the template names another, so each one names ours. On a line of its own, the line leaves no trace.
    static let pragma = "{{% CONTENT_TYPE: \(PageHTML.name)}}\n"

    /// Every `.mustache` file under `folder`, named by its path without the extension, as `MustacheLibrary(directory:)`
    /// names them.
    static func load(from folder: String) throws -> MustacheLibrary {
        MustacheContentTypes.register(PageHTML(), named: PageHTML.name)
        let root = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return MustacheLibrary() }
        var templates: [String: MustacheTemplate] = [:]
        for case let file as URL in files where file.pathExtension == "mustache" {
            let path = file.standardizedFileURL.path
            let name = String(path.dropFirst(root.path.count + 1).dropLast(".mustache".count))
            let text = try String(contentsOf: file, encoding: .utf8)
            do {
                templates[name] = try MustacheTemplate(string: pragma + text)
            } catch {
                throw TemplateError(name: name, reason: "\(error)")
            }
        }
        return MustacheLibrary(templates: templates)
    }

    struct TemplateError: Error, CustomStringConvertible {
        let name: String, reason: String
        var description: String { "The page template \(name) does not parse: \(reason)" }
    }
}

/// HTML text and attribute values: `<`, `>`, `&`, `"` and `'` as references, looked at one code point at a time.
struct PageHTML: MustacheContentType {
    static let name = "HTML_CODE_POINTS"

    func escapeText(_ text: String) -> String {
        text.escapingScalars { scalar in
            switch scalar {
            case "<": "&lt;"
            case ">": "&gt;"
            case "&": "&amp;"
            case "\"": "&quot;"
            case "'": "&#39;"
            default: nil
            }
        }
    }
}
