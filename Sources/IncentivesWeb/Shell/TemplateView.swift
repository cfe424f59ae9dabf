import Mustache
import Synchronization

/// A view model as the templates see it.
///
/// swift-mustache looks a name up on a value it knows nothing about by building a `Mirror` of the value and boxing
/// every stored property to compare its label, once per name per value, and once more per value up the context stack
/// when the name belongs to an outer one. A 50-row claims list asks some 2,000 names that way. Here each type's labels
/// are read once, into a table of positions; a lookup then builds the one child it names. What a template renders is
/// unchanged: a value prints as `String(describing:)`, an optional as its value, a list element by element.
struct TemplateView: MustacheParent, MustacheCustomRenderable {
    let value: Any
    let fields: TemplateFields

    func child(named name: String) -> Any? {
        guard let position = fields.positions[name] else { return nil }
        let children = Mirror(reflecting: value).children
        return Self.seen(children[children.index(children.startIndex, offsetBy: position)].value)
    }

    /// How it prints, as the library would print the value itself.
    var renderText: String { String(describing: value) }
    var isNull: Bool { false }

    /// A value as the templates get it: a struct or class with stored properties wrapped, an optional unwrapped
    /// (nil for none), a list with each element seen; anything else (text, numbers, flags, the library's own
    /// protocols) as it is.
    static func seen(_ value: Any) -> Any? {
        // Decided once per type: a cast per value and name cost as much as the lookups it saved.
        switch TemplateFields.of(value) {
        case .plain:
            return value
        case .optional:
            guard let wrapped = (value as? any TemplateOptional)?.wrappedValue else { return nil }
            return seen(wrapped)
        case .list:
            return (value as? any TemplateList)?.seenElements ?? value
        case .fields(let fields):
            return TemplateView(value: value, fields: fields)
        }
    }
}

/// The stored properties of one type, by label: their positions among its `Mirror`'s children.
struct TemplateFields: Sendable {
    let positions: [String: Int]

    /// How the templates read a value of one type.
    enum Kind: Sendable { case plain, optional, list, fields(TemplateFields) }

    /// Per type, kept for the life of the process (view model types are a few dozen).
    private static let known = Mutex<[ObjectIdentifier: Kind]>([:])

    static func of(_ value: Any) -> Kind {
        let type = ObjectIdentifier(Swift.type(of: value))
        if let found = known.withLock({ $0[type] }) { return found }
        let kind = make(value)
        known.withLock { $0[type] = kind }
        return kind
    }

    private static func make(_ value: Any) -> Kind {
        if value is any TemplateOptional { return .optional }
        if value is any TemplateList { return .list }
        // The library's own protocols decide how such a value renders; plain values have nothing to look up.
        if value is MustacheParent || value is MustacheCustomRenderable || value is MustacheLambda || value is MustacheTemplate
            || value is String || value is Substring { return .plain }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .struct || mirror.displayStyle == .class, mirror.superclassMirror == nil else { return .plain }
        var positions: [String: Int] = [:]
        for (position, child) in mirror.children.enumerated() {
            if let label = child.label, positions[label] == nil { positions[label] = position }
        }
        return positions.isEmpty ? .plain : .fields(TemplateFields(positions: positions))
    }
}

/// Lets `TemplateView.seen` see through an optional of any type.
private protocol TemplateOptional { var wrappedValue: Any? { get } }
extension Optional: TemplateOptional {
    fileprivate var wrappedValue: Any? { map { $0 } }
}

/// Lets `TemplateView.seen` see each element of a list of any type; the library renders an array as a section.
private protocol TemplateList { var seenElements: [Any] { get } }
extension Array: TemplateList {
    fileprivate var seenElements: [Any] { map { TemplateView.seen($0) ?? Optional<Any>.none as Any } }
}
