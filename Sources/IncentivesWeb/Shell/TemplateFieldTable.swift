import Synchronization

/// A view model the templates read through a table of its fields by name, without reflection.
///
/// The templates read any other view model by its stored properties, through a `Mirror` per name found: each read looks up
/// the field's type by its mangled name, which on the vendor's home page (a few hundred chart bars and table cells,
/// some ten names each) was a quarter of the request. The types a page holds by the hundred name their fields here
/// instead. `TemplateFieldTableTests` holds every such table to the type's stored properties, so a field added to the
/// type and not to its table fails a test rather than rendering empty.
protocol TemplateFieldTable {
    /// Each stored property the templates may name, read from a value.
    static var templateFields: TemplateFields<Self> { get }
    /// The field `name`, nil for none (an absent optional included). A requirement, so that a value held as `any
    /// TemplateFieldTable` reads its own table (the default, made for each type), with no cast and no generic lookup of
    /// the table's type per name.
    func child(_ name: TemplateSymbol) -> Any?
}

extension TemplateFieldTable {
    func child(_ name: TemplateSymbol) -> Any? { Self.templateFields.read(name, of: self) }

    /// The field `name`, nil for none (an absent optional included).
    func child(named name: String) -> Any? { child(TemplateSymbol(name)) }
}

/// A name the templates use, numbered when a template is compiled or a field table made: a page looks names up by the
/// hundred, each from the top of the context stack down, and hashing a name's text again for each table it was looked
/// for in was a sixth of the claims page's rendering (`Hasher` and the dictionary's probe, under `perf`).
struct TemplateSymbol: Equatable, Sendable {
    let name: String
    /// The same for the same name, in this process.
    let number: Int

    private static let numbers = Mutex<[String: Int]>([:])

    init(_ name: String) {
        self.name = name
        number = Self.numbers.withLock { numbers in
            if let known = numbers[name] { return known }
            numbers[name] = numbers.count
            return numbers.count - 1
        }
    }

    static func == (a: Self, b: Self) -> Bool { a.number == b.number }
}

/// A type's field table: each field's reader, by the number of its name.
final class TemplateFields<Value>: Sendable {
    /// The names the table reads.
    let names: Set<String>
    /// Indexed by `TemplateSymbol.number`; nil where the type has no such field. A name numbered after the table was made
    /// (one only a template uses) is past its end: no field of this type either.
    private let readers: [(@Sendable (Value) -> Any?)?]

    init(_ fields: [String: @Sendable (Value) -> Any?]) {
        names = Set(fields.keys)
        let numbered = fields.map { (TemplateSymbol($0.key).number, $0.value) }
        var readers = [(@Sendable (Value) -> Any?)?](repeating: nil, count: (numbered.map(\.0).max() ?? -1) + 1)
        for (number, reader) in numbered { readers[number] = reader }
        self.readers = readers
    }

    func read(_ name: TemplateSymbol, of value: Value) -> Any? {
        name.number < readers.count ? readers[name.number]?(value) : nil
    }
}

extension ChartTable.Column: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "title": { $0.title }, "csvName": { $0.csvName }, "numeric": { $0.numeric },
    ])
}

extension ChartTable.Cell: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "text": { $0.text }, "csv": { $0.csv }, "href": { $0.href }, "header": { $0.header }, "numeric": { $0.numeric },
    ])
}

extension ChartTable.Row: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>(["cells": { $0.cells }])
}

extension BarChart.Rect: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "x": { $0.x }, "y": { $0.y }, "width": { $0.width }, "height": { $0.height }, "tone": { $0.tone }, "title": { $0.title },
    ])
}

extension BarChart.Label: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "x": { $0.x }, "y": { $0.y }, "text": { $0.text }, "anchor": { $0.anchor }, "tone": { $0.tone },
    ])
}

extension BarChart.Line: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "x1": { $0.x1 }, "y1": { $0.y1 }, "x2": { $0.x2 }, "y2": { $0.y2 }, "label": { $0.label }, "labelX": { $0.labelX },
        "labelY": { $0.labelY }, "anchor": { $0.anchor },
    ])
}

extension BarChart.LegendItem: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>(["name": { $0.name }, "tone": { $0.tone }])
}

extension ClaimLine: TemplateFieldTable {
    static let templateFields = TemplateFields<Self>([
        "id": { $0.id }, "href": { $0.href }, "name": { $0.name }, "customer": { $0.customer }, "engagement": { $0.engagement },
        "location": { $0.location }, "organization": { $0.organization }, "place": { $0.place }, "status": { $0.status },
        "statusCode": { $0.statusCode }, "tone": { $0.tone }, "deadline": { $0.deadline }, "deadlineTitle": { $0.deadlineTitle },
        "amount": { $0.amount }, "updated": { $0.updated },
    ])
}
