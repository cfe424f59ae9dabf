import Foundation
import IncentivesDomain

/// A chart's figures as the table beside it and as its CSV download, built once: the download holds the table's rows
/// and columns. Amounts show grouped on the page ("5,000.00") and plain in the file ("5000.00"), their currency in a
/// column of both; names people typed are kept from being read as formulas in the file.
struct ChartTable: Sendable {
    struct Column: Sendable {
        let title: String
        let csvName: String
        let numeric: Bool

        static func text(_ title: String, _ csvName: String) -> Column { Column(title: title, csvName: csvName, numeric: false) }
        static func number(_ title: String, _ csvName: String) -> Column { Column(title: title, csvName: csvName, numeric: true) }
    }

    struct Cell: Sendable {
        let text: String
        let csv: String
        let href: String?
        let header: Bool
        let numeric: Bool

        /// A name or label (the row's header when `header`), with an optional link.
        static func name(_ text: String, href: String? = nil, header: Bool = false) -> Cell {
            Cell(text: text, csv: CSV.text(text), href: href, header: header, numeric: false)
        }

        /// A code or date written the same on the page and in the file.
        static func plain(_ text: String, header: Bool = false) -> Cell {
            Cell(text: text, csv: text, href: nil, header: header, numeric: false)
        }

        static func count(_ n: Int, href: String? = nil) -> Cell {
            Cell(text: String(n), csv: String(n), href: href, header: false, numeric: true)
        }

        /// Minor units of `currency`; nil (no figure, such as no budget) is an empty cell.
        static func money(_ minor: Int64?, _ currency: Currency) -> Cell {
            guard let minor else { return Cell(text: "", csv: "", href: nil, header: false, numeric: true) }
            let text = Money(minorUnits: minor, currency: currency).description
            return Cell(text: String(text.dropFirst(currency.code.count + 1)), csv: Money.plainText(minorUnits: minor, currency: currency),
                        href: nil, header: false, numeric: true)
        }
    }

    struct Row: Sendable { let cells: [Cell] }

    let caption: String
    let columns: [Column]
    let rows: [Row]
    let hasRows: Bool

    init(caption: String, columns: [Column], rows: [Row]) {
        self.caption = caption; self.columns = columns; self.rows = rows
        hasRows = !rows.isEmpty
    }

    /// RFC 4180 text: the columns' names, then a line per row.
    var csv: String {
        rows.reduce(CSV.line(columns.map(\.csvName))) { $0 + CSV.line($1.cells.map(\.csv)) }
    }
}
