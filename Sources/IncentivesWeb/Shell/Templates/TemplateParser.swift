/// A page template as read, before its partials are linked.
///
/// The whitespace rules follow swift-mustache's parser (2.1), which rendered these pages before and whose output the
/// page snapshots pin byte for byte: text is cut at each line end, a standalone tag's line leaves no trace, the text of
/// a block inside a parent loses the indentation of the block's first line, and a block expansion keeps the spaces
/// before it as its indentation even when other tags share its line. Syntax the templates do not use is refused with
/// the template's name and line rather than rendered some other way.
indirect enum TemplateToken {
    case text(String)
    case value(TemplateName, line: Int)
    case section(TemplateName, [TemplateToken], inverted: Bool, line: Int)
    /// `{{> name}}` (no blocks) or `{{<name}}…{{/name}}` (the blocks it overrides); indentation only when standalone.
    case partial(String, indentation: String?, blocks: [String: [TemplateToken]]?, line: Int)
    /// `{{$name}}default{{/name}}` outside a parent: where a child's block goes.
    case block(String, default: [TemplateToken], indentation: String)
    /// `{{$name}}…{{/name}}` directly inside a parent: only ever read into the parent's `blocks`.
    case blockDefinition(String, [TemplateToken])
}

/// A name as a template writes it: `.` for the current value, or dotted segments, each interned
/// (`TemplateSymbol`) as the template is compiled.
enum TemplateName: Equatable {
    case current
    case path([TemplateSymbol])

    init(_ text: String, template: String, line: Int) throws {
        if text == "." { self = .current; return }
        let segments = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, !segments.contains(where: \.isEmpty) else {
            throw TemplateError(template: template, line: line, reason: "the name \"\(text)\" is not `.` or dotted names")
        }
        self = .path(segments.map(TemplateSymbol.init))
    }
}

struct TemplateError: Error, CustomStringConvertible {
    let template: String, line: Int, reason: String
    var description: String { "The page template \(template), line \(line): \(reason)" }
}

struct TemplateParser {
    private let characters: [Character]
    private var position = 0
    let template: String
    /// Where each line ends, for the line numbers of refusals.
    private let lineEnds: [Int]

    /// What the parser knows about where it is (swift-mustache's `ParserState`).
    private struct State {
        var sectionName: String?
        var newLine = true
        var isPartialDefinition = false
        var isPartialDefinitionTopLevel = false
        var partialDefinitionIndent: Int?

        func inSection(_ name: String, newLine: Bool) -> State {
            var state = self
            state.sectionName = name
            state.isPartialDefinitionTopLevel = false
            if !newLine { state.newLine = false }
            return state
        }

        func inParent(_ name: String) -> State {
            var state = self
            state.sectionName = name
            state.newLine = true
            state.isPartialDefinition = true
            state.isPartialDefinitionTopLevel = true
            return state
        }
    }

    static func parse(_ text: String, template: String) throws -> [TemplateToken] {
        let characters = Array(text)
        var parser = TemplateParser(characters: characters, template: template,
                                    lineEnds: characters.indices.filter { characters[$0] == "\n" })
        if let odd = parser.characters.firstIndex(where: { $0.isNewline && $0 != "\n" }) {
            throw TemplateError(template: template, line: parser.line(at: odd), reason: "a line ends other than with \\n")
        }
        return try parser.parse(State())
    }

    private var line: Int { line(at: position) }
    private func line(at index: Int) -> Int {
        var (low, high) = (0, lineEnds.count)
        while low < high {
            let middle = (low + high) / 2
            if lineEnds[middle] < index { low = middle + 1 } else { high = middle }
        }
        return low + 1
    }
    private func refuse(_ reason: String) -> TemplateError { TemplateError(template: template, line: line, reason: reason) }

    private var atEnd: Bool { position == characters.count }
    private var current: Character { atEnd ? "\0" : characters[position] }

    @discardableResult
    private mutating func read(while test: (Character) -> Bool) -> String {
        let start = position
        while !atEnd, test(characters[position]) { position += 1 }
        return String(characters[start..<position])
    }

    private mutating func read(_ text: String) -> Bool {
        let wanted = Array(text)
        guard characters.count - position >= wanted.count, Array(characters[position..<position + wanted.count]) == wanted else { return false }
        position += wanted.count
        return true
    }

    private mutating func parse(_ entry: State) throws -> [TemplateToken] {
        var tokens: [TemplateToken] = []
        var state = entry
        var whiteSpaceBefore = ""
        while !atEnd {
            if state.newLine {
                let whiteSpace = read { $0 == " " || $0 == "\t" }
                if state.isPartialDefinition, !state.isPartialDefinitionTopLevel {
                    if let indent = state.partialDefinitionIndent {
                        whiteSpaceBefore = String(whiteSpace.dropFirst(indent))
                    } else {
                        state.partialDefinitionIndent = whiteSpace.count
                    }
                } else {
                    whiteSpaceBefore = whiteSpace
                }
            }
            let (text, atTag) = try readUntilTagOrNewline()
            if atTag, current == "\n" || atEnd { throw refuse("a tag must not span lines") }
            if current == "\n" {
                tokens.append(.text(whiteSpaceBefore + text + "\n"))
                state.newLine = true
                position += 1
                continue
            }
            if !text.isEmpty {
                tokens.append(.text(whiteSpaceBefore + text))
                whiteSpaceBefore = ""
                state.newLine = false
            }
            if atEnd { break }
            let tagLine = line
            var setNewLine = false
            switch current {
            case "#", "^":
                let inverted = current == "^"
                position += 1
                let name = try readName()
                if isStandalone(state) {
                    setNewLine = true
                } else if !whiteSpaceBefore.isEmpty {
                    tokens.append(.text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
                let inner = try parse(state.inSection(name, newLine: setNewLine))
                tokens.append(.section(try TemplateName(name, template: template, line: tagLine), inner, inverted: inverted, line: tagLine))
            case "/":
                position += 1
                let name = try readName()
                guard name == state.sectionName else {
                    throw refuse(state.sectionName.map { "{{/\(name)}} closes {{#\($0)}}" } ?? "{{/\(name)}} closes nothing")
                }
                if !isStandalone(state), !whiteSpaceBefore.isEmpty { tokens.append(.text(whiteSpaceBefore)) }
                return tokens
            case "!":
                guard let end = (position..<characters.count).first(where: { characters[$0...].starts(with: ["}", "}"]) }) else {
                    throw refuse("a comment is not closed")
                }
                position = end + 2
                setNewLine = isStandalone(state)
            case ">":
                position += 1
                read(while: \.isWhitespace)
                let name = try readPartialName()
                if !whiteSpaceBefore.isEmpty { tokens.append(.text(whiteSpaceBefore)) }
                let standalone = isStandalone(state)
                setNewLine = standalone
                tokens.append(.partial(name, indentation: standalone ? whiteSpaceBefore : nil, blocks: nil, line: tagLine))
                whiteSpaceBefore = ""
            case "<":
                position += 1
                read(while: \.isWhitespace)
                let name = try readPartialName()
                if !whiteSpaceBefore.isEmpty { tokens.append(.text(whiteSpaceBefore)) }
                setNewLine = isStandalone(state)
                var blocks: [String: [TemplateToken]] = [:]
                for token in try parse(state.inParent(name)) {
                    switch token {
                    case .blockDefinition(let block, let inner): blocks[block] = inner
                    case .text: break
                    default: throw TemplateError(template: template, line: tagLine, reason: "{{<\(name)}} may hold only blocks ({{$name}})")
                    }
                }
                tokens.append(.partial(name, indentation: whiteSpaceBefore, blocks: blocks, line: tagLine))
                whiteSpaceBefore = ""
            case "$":
                position += 1
                let name = try readName()
                if state.isPartialDefinitionTopLevel {
                    setNewLine = isStandalone(state)
                    tokens.append(.blockDefinition(name, try parse(state.inSection(name, newLine: setNewLine))))
                } else {
                    if !whiteSpaceBefore.isEmpty { tokens.append(.text(whiteSpaceBefore)) }
                    setNewLine = isStandalone(state)
                    let inner = try parse(state.inSection(name, newLine: setNewLine))
                    tokens.append(.block(name, default: inner, indentation: whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
            case "{", "&":
                throw refuse("unescaped values ({{{name}}}, {{&name}}) are not supported: every value is escaped")
            case "=", "%":
                throw refuse("delimiter changes and pragmas are not supported")
            default:
                if !whiteSpaceBefore.isEmpty {
                    tokens.append(.text(whiteSpaceBefore))
                    whiteSpaceBefore = ""
                }
                tokens.append(.value(try TemplateName(try readName(), template: template, line: tagLine), line: tagLine))
            }
            state.newLine = setNewLine
        }
        if let open = state.sectionName { throw refuse("{{#\(open)}} is not closed") }
        return tokens
    }

    /// Text up to a line end, or up to and past the next `{{` (`atTag`).
    private mutating func readUntilTagOrNewline() throws -> (text: String, atTag: Bool) {
        var text = ""
        while !atEnd {
            text += read { $0 != "\n" && $0 != "{" }
            if current == "\n" || atEnd { break }
            if read("{{") { return (text, true) }
            guard characters.count - position >= 2 else { throw refuse("the template ends inside `{`") }
            text.append("{")
            position += 1
        }
        return (text, false)
    }

    private static let nameCharacters = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-_?*")

    private mutating func readName() throws -> String {
        read(while: \.isWhitespace)
        let name = read { Self.nameCharacters.contains($0) }
        read(while: \.isWhitespace)
        if current == "(" { throw refuse("transforms (`name(value)`) are not supported") }
        guard read("}}") else { throw refuse("a tag's name is not closed with }}") }
        return name
    }

    private mutating func readPartialName() throws -> String {
        let name = read { Self.nameCharacters.contains($0) || $0 == "/" }
        read(while: \.isWhitespace)
        guard read("}}") else { throw refuse("a partial's name is not closed with }}") }
        guard !name.isEmpty, !name.hasPrefix("*") else { throw refuse("a partial must be named, not dynamic (`*`)") }
        return name
    }

    /// A tag alone on its line (nothing but spaces and tabs around it) takes the line with it.
    private mutating func isStandalone(_ state: State) -> Bool {
        guard state.newLine else { return false }
        if atEnd { return true }
        var ahead = position
        while ahead < characters.count, characters[ahead] == " " || characters[ahead] == "\t" { ahead += 1 }
        guard ahead < characters.count, characters[ahead] == "\n" else { return false }
        position = ahead + 1
        return true
    }
}
