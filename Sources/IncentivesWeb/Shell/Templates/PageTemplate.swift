import Synchronization

/// A page template compiled once at start-up: text as bytes, names split, partials linked to their templates.
final class PageTemplate: @unchecked Sendable {
    let name: String
    /// Set once while the templates load, before any page renders (a partial may be linked before it is compiled).
    var nodes: [Node] = []
    /// The size of the last page rendered, to reserve about as much for the next.
    let lastSize = Atomic<Int>(16_384)

    init(name: String) { self.name = name }

    indirect enum Node {
        case text([UInt8])
        case value(TemplateName)
        case section(TemplateName, [Node], inverted: Bool)
        /// A partial, or a parent with the blocks it overrides; `indentation` for every line it renders.
        case partial(PageTemplate, indentation: [UInt8], blocks: [String: [Node]]?)
        /// Where a child's block goes, with what shows when no child overrides it.
        case block(String, default: [Node], indentation: [UInt8])
    }

    /// The nodes of `tokens`, with adjacent text joined (see `render` for why joining changes no byte).
    static func compile(_ tokens: [TemplateToken], in template: String, partials: [String: PageTemplate]) throws -> [Node] {
        var nodes: [Node] = []
        for token in tokens {
            switch token {
            case .text(let text):
                if case .text(let before)? = nodes.last {
                    nodes[nodes.count - 1] = .text(before + Array(text.utf8))
                } else {
                    nodes.append(.text(Array(text.utf8)))
                }
            case .value(let name, _):
                nodes.append(.value(name))
            case .section(let name, let inner, let inverted, _):
                nodes.append(.section(name, try compile(inner, in: template, partials: partials), inverted: inverted))
            case .partial(let name, let indentation, let blocks, let line):
                guard let partial = partials[name] else {
                    throw TemplateError(template: template, line: line, reason: "there is no template named \(name)")
                }
                nodes.append(.partial(partial, indentation: Array((indentation ?? "").utf8),
                                      blocks: try blocks?.mapValues { try compile($0, in: template, partials: partials) }))
            case .block(let name, let inner, let indentation):
                nodes.append(.block(name, default: try compile(inner, in: template, partials: partials), indentation: Array(indentation.utf8)))
            case .blockDefinition:
                preconditionFailure("the parser keeps block definitions inside their parent")
            }
        }
        return nodes
    }
}

/// One rendering: the output, the context stack, and what partials and parents in effect set.
struct TemplateRendering {
    /// A value on the context stack, with how it reads (a view model with a field table: as one, cast once).
    struct Frame {
        let value: Any
        let kind: TemplateKind
        let table: (any TemplateFieldTable)?

        init(value: Any, kind: TemplateKind) {
            self.value = value
            self.kind = kind
            if case .table = kind { table = value as? any TemplateFieldTable } else { table = nil }
        }

        func child(_ name: TemplateSymbol) -> Any? {
            if let table { return table.child(name) }
            return kind.child(name, of: value)
        }
    }

    var out: [UInt8] = []
    private var stack: [Frame]
    private var indentation: [UInt8] = []
    private var blocks: [String: [PageTemplate.Node]] = [:]

    init(_ root: Any, capacity: Int) {
        stack = [Frame(value: root, kind: TemplateKind.of(root))]
        stack.reserveCapacity(8)
        out.reserveCapacity(capacity)
    }

    /// Renders `nodes` at the end of `out`.
    ///
    /// Inside an indented partial or block, the indentation goes before a node's output whenever what this call has
    /// rendered so far ends a line, as swift-mustache does per token. Text joined from several lines gets it after each
    /// of its own line ends too: the parser cut text at every line end, so those are exactly where its tokens met.
    mutating func render(_ nodes: [PageTemplate.Node]) {
        guard !indentation.isEmpty else {
            for node in nodes { render(node) }
            return
        }
        let start = out.count
        for node in nodes {
            let before = out.count
            if case .text(let text) = node {
                var lineStart = 0
                for (index, byte) in text.enumerated() where byte == UInt8(ascii: "\n") && index + 1 < text.count {
                    out.append(contentsOf: text[lineStart...index])
                    out.append(contentsOf: indentation)
                    lineStart = index + 1
                }
                out.append(contentsOf: text[lineStart...])
            } else {
                render(node)
            }
            if out.count > before, endsLine(from: start, to: before) {
                out.insert(contentsOf: indentation, at: before)
            }
        }
    }

    /// Whether `out[start..<end]` ends with a line end, as a Swift `Character` ("\r\n" is one, and not "\n").
    private func endsLine(from start: Int, to end: Int) -> Bool {
        end > start && out[end - 1] == UInt8(ascii: "\n") && !(end - 1 > start && out[end - 2] == UInt8(ascii: "\r"))
    }

    private mutating func render(_ node: PageTemplate.Node) {
        switch node {
        case .text(let text):
            out.append(contentsOf: text)
        case .value(let name):
            if let value = resolve(name) { write(value) }
        case .section(let name, let inner, let inverted):
            section(resolve(name), inner, inverted: inverted)
        case .partial(let template, let indented, let overrides):
            let (savedIndentation, savedBlocks) = (indentation, blocks)
            indentation += indented
            // The outermost page's blocks win over a parent's own parent's.
            if let overrides { blocks.merge(overrides) { outer, _ in outer } }
            render(template.nodes)
            (indentation, blocks) = (savedIndentation, savedBlocks)
        case .block(let name, let defaultNodes, let indented):
            let savedIndentation = indentation
            indentation += indented
            render(blocks[name] ?? defaultNodes)
            indentation = savedIndentation
        }
    }

    /// A section shows for `true`, once per element of a list, and once for any other value, which it pushes on the
    /// stack; not for `false`, an empty list, or no value. An inverted section shows exactly when a section would not.
    private mutating func section(_ value: Any?, _ inner: [PageTemplate.Node], inverted: Bool) {
        guard let value else {
            if inverted { render(inner) }
            return
        }
        let kind = TemplateKind.of(value)
        switch kind {
        case .bool:
            if (value as! Bool) != inverted { render(inner) }
        case .sequence:
            let list = value as! any TemplateSequence
            if inverted {
                var empty = true
                list.forEachElement { _ in empty = false }
                if empty { push(value, kind, inner) }
            } else {
                // A list's elements are mostly of one type: its kind is looked up again only when the type changes.
                var last: (type: ObjectIdentifier, kind: TemplateKind)?
                list.forEachElement { element in
                    let type = ObjectIdentifier(Swift.type(of: element))
                    if last?.type != type { last = (type, TemplateKind.of(element)) }
                    push(element, last!.kind, inner)
                }
            }
        default:
            if !inverted { push(value, kind, inner) }
        }
    }

    private mutating func push(_ value: Any, _ kind: TemplateKind, _ inner: [PageTemplate.Node]) {
        stack.append(Frame(value: value, kind: kind))
        render(inner)
        stack.removeLast()
    }

    /// `.` is the value on top of the stack; a name's first segment is looked for from the top of the stack down, and
    /// the rest in what it found (without going further down the stack).
    private func resolve(_ name: TemplateName) -> Any? {
        switch name {
        case .current:
            return stack[stack.count - 1].value
        case .path(let segments):
            var found: Any?
            // By index, not `stack.reversed()`, which copied each frame it passed (three retains and releases a name).
            var index = stack.count - 1
            while index >= 0 {
                if let child = stack[index].child(segments[0]) { found = child; break }
                index -= 1
            }
            guard var value = found else { return nil }
            for segment in segments.dropFirst() {
                guard let child = TemplateKind.of(value).child(segment, of: value) else { return nil }
                value = child
            }
            return value
        }
    }

    /// A value as escaped text: `String(describing:)`, as swift-mustache printed it.
    private mutating func write(_ value: Any) {
        switch value {
        case let text as String: PageHTML.escape(text, into: &out)
        case let number as Int: out.append(contentsOf: String(number).utf8)
        case let number as Int64: out.append(contentsOf: String(number).utf8)
        case let flag as Bool: out.append(contentsOf: (flag ? "true" : "false").utf8)
        default: PageHTML.escape(String(describing: TemplateKind.unwrapped(value) ?? value), into: &out)
        }
    }
}
