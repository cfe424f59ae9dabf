import Foundation
import IncentivesDomain

/// One cell of an exported table, typed so that each format writes it as what it is: a spreadsheet gets
/// numbers and dates it can sort and sum, CSV gets their plain text.
public enum TableCell: Sendable, Hashable {
    case text(String)
    /// Text already in UTF-8, written exactly as `.text` of the same text: an export's names as SQLite holds them, copied
    /// once into its page's bytes (`ClaimExportPage`) instead of a `String` each.
    case utf8(ArraySlice<UInt8>)
    case integer(Int64)
    /// Exact decimal text such as `5000.00` (`Money.plainText`), never a `Double`.
    case decimal(String)
    /// An amount as stored, in integer minor units: written as `Money.plainText` writes it (`appendPlainAmount`), with no
    /// `Decimal` made per row.
    case amount(minorUnits: Int64, currency: Currency)
    /// An instant, shown in UTC.
    case date(Date)
    case empty
}

/// A column of an exported table: its header, and its width in characters where the format has widths.
public struct TableColumn: Sendable, Hashable {
    public var name: String
    public var width: Double

    public init(_ name: String, width: Double) { self.name = name; self.width = width }
}

/// The file formats an export is written in.
public enum ExportFormat: String, CaseIterable, Sendable {
    case csv, xlsx

    public var contentType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    /// A writer of this format for the columns; `now` dates the file where the format records it.
    public func writer(columns: [TableColumn], sheetName: String, now: Date) -> any TableWriter {
        switch self {
        case .csv: CSVTableWriter(columns: columns)
        case .xlsx: XLSXWriter(columns: columns, sheetName: sheetName, modified: now)
        }
    }
}

/// Writes a table row by row into a buffer the caller drains (`take`) whenever it likes: the writer does
/// no I/O, so memory stays flat however many rows go through, and it is tested without any.
public protocol TableWriter {
    /// Bytes written and not yet taken.
    var pendingCount: Int { get }
    mutating func row(_ cells: [TableCell])
    /// Writes what closes the file; call once, after the last row, then `take` the rest.
    mutating func finish()
    mutating func take() -> [UInt8]
    /// `take`, with the work that makes the bytes final (a workbook's deflate) left in the closure for the caller to run
    /// off its own path. The closures share the writer's state: run each after the one before it has returned.
    mutating func takeDeferred() -> @Sendable () -> [UInt8]
}

extension TableWriter {
    /// Bytes that are final as they are written (CSV): nothing is left to do.
    public mutating func takeDeferred() -> @Sendable () -> [UInt8] {
        let bytes = take()
        return { bytes }
    }
}

/// A table as CSV: a header line of the column names, then a line per row. Every text cell goes through
/// the formula guard (`CSV.text`); numbers and dates are written as plain text (ISO 8601 UTC). Cells are written
/// straight into the output bytes (`CSV.appendField`), no String made per cell or line.
public struct CSVTableWriter: TableWriter {
    private var output: [UInt8] = []

    public init(columns: [TableColumn]) {
        output.reserveCapacity(1 << 17)
        output.append(contentsOf: CSV.line(columns.map(\.name)).utf8)
    }

    public var pendingCount: Int { output.count }

    public mutating func row(_ cells: [TableCell]) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { output.append(0x2C) }
            Self.append(cell, to: &output)
        }
        output.append(0x0D)
        output.append(0x0A)
    }

    public mutating func finish() {}

    public mutating func take() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    static func append(_ cell: TableCell, to output: inout [UInt8]) {
        switch cell {
        case .text(let s): CSV.appendField(s, guarded: true, to: &output)
        case .utf8(let bytes): bytes.withUnsafeBufferPointer { CSV.appendField(utf8: $0, guarded: true, to: &output) }
        case .integer(let n): output.append(contentsOf: String(n).utf8)
        case .decimal(let s): CSV.appendField(s, guarded: false, to: &output)
        case .amount(let units, let currency): appendPlainAmount(minorUnits: units, minorDigits: currency.minorUnitDigits, to: &output)
        case .date(let d): appendISO8601UTC(d, to: &output)
        case .empty: break
        }
    }
}
