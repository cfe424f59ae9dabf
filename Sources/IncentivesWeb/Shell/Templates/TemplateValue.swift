import Foundation
import Synchronization

/// How the templates read a value of one type, decided once per type: the casts and reflection that find out what a
/// value is cost more than the lookups themselves when done per value and name.
///
/// What a template sees is what swift-mustache showed for the same values: a field by its name (an absent optional as
/// no value at all, so the name is looked for further down the context stack), a list as a section repeated per
/// element, `true`/`false` as a section shown or not, anything else as text through `String(describing:)`.
enum TemplateKind: Sendable {
    /// A view model with a table of its fields (`TemplateFieldTable`): no reflection. The context stack holds such a
    /// value as `any TemplateFieldTable`, cast once when it is pushed (`TemplateRendering.Frame`): cast per name, each
    /// read copied the whole view model out of its box (a claims row's dozen strings retained and released per name),
    /// and with the generic table looked up per name that was a tenth of the claims page's time.
    case table
    /// A struct or class: its stored properties' positions among its `Mirror`'s children, read once.
    case reflected([String: ReflectedField])
    /// `[String: V]`: its entries by key.
    case dictionary
    /// An array (or set): a section repeats per element; falsy when empty.
    case sequence
    case bool
    case optional
    /// An enum, a tuple or a value with a custom mirror: its mirror's children, asked per lookup (its children may
    /// differ per value, as an enum's per case).
    case mirrored
    /// Text, numbers and other values without children.
    case opaque

    struct ReflectedField: Sendable { let position: Int; let optional: Bool }

    /// Per type, kept for the life of the process (view model types are a few dozen).
    private static let known = Mutex<[ObjectIdentifier: TemplateKind]>([:])

    static func of(_ value: Any) -> TemplateKind {
        let type = ObjectIdentifier(Swift.type(of: value))
        if let found = known.withLock({ $0[type] }) { return found }
        let kind = make(value)
        known.withLock { $0[type] = kind }
        return kind
    }

    private static func make(_ value: Any) -> TemplateKind {
        if value is Bool { return .bool }
        if value is String || value is Substring { return .opaque }
        if value is any TemplateOptional { return .optional }
        if value is any TemplateSequence { return .sequence }
        if value is any TemplateDictionary { return .dictionary }
        if value is any TemplateFieldTable { return .table }
        if value is CustomReflectable { return .mirrored }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .struct?, .class?:
            var fields: [String: ReflectedField] = [:]
            for (position, child) in mirror.children.enumerated() {
                guard let label = child.label, fields[label] == nil else { continue }
                fields[label] = ReflectedField(position: position, optional: child.value is any TemplateOptional)
            }
            return .reflected(fields)
        case nil:
            return mirror.children.isEmpty ? .opaque : .mirrored
        default:
            return .mirrored
        }
    }

    /// The field `name` of `value` (of this kind), or nil when it has none or holds none.
    func child(_ symbol: TemplateSymbol, of value: Any) -> Any? {
        let name = symbol.name
        switch self {
        case .table:
            return (value as? any TemplateFieldTable)?.child(symbol)
        case .reflected(let fields):
            guard let field = fields[name] else { return nil }
            let children = Mirror(reflecting: value).children
            let child = children[children.index(children.startIndex, offsetBy: field.position)].value
            return field.optional ? Self.unwrapped(child) : child
        case .dictionary:
            return (value as? any TemplateDictionary)?.entry(name).flatMap(Self.unwrapped)
        case .mirrored:
            return Mirror(reflecting: value).children.first { $0.label == name }.flatMap { Self.unwrapped($0.value) }
        case .sequence, .bool, .optional, .opaque:
            return nil
        }
    }

    /// An optional's value, nil for none (of an optional of an optional too); any other value as it is.
    static func unwrapped(_ value: Any) -> Any? {
        guard let optional = value as? any TemplateOptional else { return value }
        return optional.wrappedValue.flatMap(unwrapped)
    }
}

/// Sees through an optional of any type.
protocol TemplateOptional { var wrappedValue: Any? { get } }
extension Optional: TemplateOptional {
    var wrappedValue: Any? { map { $0 } }
}

/// Each element of a list of any type, in order.
protocol TemplateSequence { func forEachElement(_ body: (Any) -> Void) }
extension Array: TemplateSequence {
    func forEachElement(_ body: (Any) -> Void) { for element in self { body(element) } }
}
extension Set: TemplateSequence {
    func forEachElement(_ body: (Any) -> Void) { for element in self { body(element) } }
}

/// A dictionary's entries by key.
protocol TemplateDictionary { func entry(_ key: String) -> Any? }
extension Dictionary: TemplateDictionary where Key == String {
    func entry(_ key: String) -> Any? { self[key] }
}
