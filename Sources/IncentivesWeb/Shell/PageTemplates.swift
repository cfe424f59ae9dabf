import Foundation

/// The page templates, compiled once at start-up, and the one HTML escape every `{{value}}` in them goes through.
///
/// The pages were rendered by swift-mustache, which per `{{value}}` split the name, cast the value to half a dozen
/// protocols, built a `String` per node and reflected on values it knew nothing about: half the server's time on a
/// 50-row claims list. Here each template is parsed once into nodes (text as bytes, names split, partials linked) and
/// rendered straight into one byte buffer, with the rules the pages were written against: `TemplateParser` for
/// whitespace, `TemplateRendering` for names and sections, `TemplateKind` for how each type of value reads.
struct PageTemplates: Sendable {
    private let templates: [String: PageTemplate]

    /// Every `.mustache` file under `folder`, named by its path without the extension.
    static func load(from folder: String) throws -> PageTemplates {
        let root = URL(fileURLWithPath: folder, isDirectory: true).standardizedFileURL
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return try PageTemplates([:]) }
        var sources: [String: String] = [:]
        for case let file as URL in files where file.pathExtension == "mustache" {
            let path = file.standardizedFileURL.path
            sources[String(path.dropFirst(root.path.count + 1).dropLast(".mustache".count))] = try String(contentsOf: file, encoding: .utf8)
        }
        return try PageTemplates(sources)
    }

    /// Templates by name from their text; throws `TemplateError` (template and line) for anything it does not support.
    init(_ sources: [String: String]) throws {
        let templates = Dictionary(uniqueKeysWithValues: sources.keys.map { ($0, PageTemplate(name: $0)) })
        for (name, text) in sources {
            let template = templates[name]!
            template.nodes = try PageTemplate.compile(TemplateParser.parse(text, template: name), in: name, partials: templates)
        }
        self.templates = templates
    }

    /// The page `template` renders for `value`; nil when there is no such template.
    func render(_ value: Any, template name: String) -> String? {
        guard let template = templates[name] else { return nil }
        var rendering = TemplateRendering(value, capacity: template.lastSize.load(ordering: .relaxed) + 1_024)
        rendering.render(template.nodes)
        template.lastSize.store(rendering.out.count, ordering: .relaxed)
        return String(decoding: rendering.out, as: UTF8.self)
    }
}

/// HTML text and attribute values: `<`, `>`, `&`, `"` and `'` as references, looked at one code point at a time.
///
/// Byte by byte over UTF-8, which is the same: the five are ASCII, and no byte of a longer code point is ASCII. (A quote
/// followed by a combining mark is one Swift `Character` that is not a quote; comparing `Character`s, as
/// swift-mustache's own escape did, let a typed text leave its attribute. A browser reads code points.)
enum PageHTML {
    static func escape(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let reference: StaticString
                switch bytes[index] {
                case UInt8(ascii: "<"): reference = "&lt;"
                case UInt8(ascii: ">"): reference = "&gt;"
                case UInt8(ascii: "&"): reference = "&amp;"
                case UInt8(ascii: "\""): reference = "&quot;"
                case UInt8(ascii: "'"): reference = "&#39;"
                default: continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                out.append(contentsOf: UnsafeBufferPointer(start: reference.utf8Start, count: reference.utf8CodeUnitCount))
                start = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }
}
