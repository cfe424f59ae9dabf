import Foundation
import IncentivesDomain

/// A table as an Office Open XML workbook (.xlsx), streamed: rows become XML as they come and go straight
/// into the ZIP package, so a million rows need no more memory than ten.
///
/// - Text is written as inline strings (`t="inlineStr"`), so no shared-string table has to be held until
///   the end. Inline strings are never evaluated as formulas (only an `<f>` element is one), so text such as
///   `=HYPERLINK(...)` needs no CSV-style quote in front: it shows exactly as stored.
/// - Integers and decimals are numbers; dates are date cells (serial days since 1899-12-30, UTC) with a
///   `yyyy-mm-dd hh:mm:ss` format, so a spreadsheet sorts and filters them as dates.
/// - Row 1 holds the column names in bold, frozen, with a filter; columns have widths.
/// - A sheet holds at most 1,048,576 rows (Excel's limit); longer tables go on in "Name (2)", "Name (3)"...,
///   each with its own header. The workbook part lists the sheets and is written last, once their number
///   is known; `[Content_Types].xml` gives every other `.xml` part the worksheet type, so it can go first.
public struct XLSXWriter: TableWriter {
    let columns: [TableColumn]
    let sheetName: String
    let rowsPerSheet: Int
    /// The package, written only by `take` or by the work `takeDeferred` hands out (one at a time, in order): the
    /// writer itself only records what to do with it (`packing`).
    private let zip: Package
    /// What the package is to do with the sheet XML and the other parts written since the last take.
    private var packing: [Package.Step] = []
    /// The bytes of XML in `packing`.
    private var packingCount = 0
    /// Sheet XML waiting to go into the ZIP entry in one larger write.
    private var xml: [UInt8] = []
    private var sheets = 0
    /// Rows of the current sheet, header included.
    private var rowsInSheet = 0
    private let letters: [[UInt8]]

    public init(columns: [TableColumn], sheetName: String, modified: Date) {
        self.init(columns: columns, sheetName: sheetName, modified: modified, rowsPerSheet: 1_048_576, zipLimits: .init())
    }

    init(columns: [TableColumn], sheetName: String, modified: Date, rowsPerSheet: Int, zipLimits: ZipStream.Limits) {
        precondition(!columns.isEmpty && rowsPerSheet >= 2)
        self.columns = columns
        // Sheet names: at most 31 characters, none of []:*?/\ (Excel refuses the file otherwise), room left for
        // " (99)"; nor the characters XML would need escaped in the workbook part.
        let cleaned = String(sheetName.filter { !"[]:*?/\\'&<>\"".contains($0) && !$0.isNewline }.prefix(25))
        self.sheetName = cleaned.isEmpty ? "Sheet" : cleaned
        self.rowsPerSheet = rowsPerSheet
        zip = Package(ZipStream(modified: modified, limits: zipLimits))
        letters = columns.indices.map { Array(Self.columnLetters($0).utf8) }
        xml.reserveCapacity(1 << 17)
        for (name, part) in [("[Content_Types].xml", Self.contentTypes), ("_rels/.rels", Self.packageRelationships),
                             ("xl/styles.xml", Self.styles)] {
            pack(.start(name)); pack(.write(Array(part.utf8))); pack(.end)
        }
        startSheet()
    }

    public var pendingCount: Int { packingCount + xml.count }

    /// The capacity of every buffer the writer holds (sheet XML, ZIP output, zlib's input and output).
    var bufferCapacity: Int { zip.stream.bufferCapacity + xml.capacity }
    /// What `bufferCapacity` stays under however many rows pass, for a caller that takes the output once 64 KiB wait
    /// (as every export does): 128 KiB of sheet XML, the output with one window of zlib's over it, zlib's two windows.
    static let bufferBound = 1 << 19

    public mutating func take() -> [UInt8] {
        takeDeferred()()
    }

    /// The deflate and the CRC are half of a workbook's time: the caller runs them beside the next rows' XML.
    public mutating func takeDeferred() -> @Sendable () -> [UInt8] {
        flushXML()
        let (zip, steps) = (self.zip, packing)
        packing = []
        packingCount = 0
        return { zip.run(steps) }
    }

    private mutating func pack(_ step: Package.Step) {
        if case .write(let bytes) = step { packingCount += bytes.count }
        packing.append(step)
    }

    /// The ZIP package of a workbook, written by one caller at a time (`take`, or the work of `takeDeferred`, which the
    /// caller runs in order): hence unchecked.
    final class Package: @unchecked Sendable {
        enum Step {
            case start(String), write([UInt8]), end, finish
        }

        private(set) var stream: ZipStream

        init(_ stream: ZipStream) { self.stream = stream }

        func run(_ steps: [Step]) -> [UInt8] {
            for step in steps {
                switch step {
                case .start(let name): stream.startEntry(name)
                case .write(let bytes): stream.write(bytes)
                case .end: stream.endEntry()
                case .finish: stream.finish()
                }
            }
            return stream.take()
        }
    }

    public mutating func row(_ cells: [TableCell]) {
        if rowsInSheet == rowsPerSheet {
            endSheet()
            startSheet()
        }
        rowsInSheet += 1
        appendRowStart()
        for (i, cell) in cells.prefix(columns.count).enumerated() {
            switch cell {
            case .empty: continue
            case .text(let s): appendInlineText(i, s)
            case .utf8(let bytes): appendInlineText(i, utf8: bytes)
            case .integer(let n):
                appendCellStart(i, style: nil, type: nil)
                put("<v>"); appendNumber(n); put("</v></c>")
            case .decimal(let s):
                // Only plain decimal text is a number; anything else would make Excel call the file damaged.
                guard Self.isPlainDecimal(s) else {
                    self.appendTextCell(i, s)
                    continue
                }
                appendCellStart(i, style: Style.decimal, type: nil)
                append("<v>"); append(s); append("</v></c>")
            case .amount(let units, let currency):
                appendCellStart(i, style: Style.decimal, type: nil)
                put("<v>"); appendPlainAmount(minorUnits: units, minorDigits: currency.minorUnitDigits, to: &xml); put("</v></c>")
            case .date(let d):
                appendCellStart(i, style: Style.date, type: nil)
                put("<v>"); append(Self.serial(d)); put("</v></c>")
            }
        }
        put("</row>")
        if xml.count >= 1 << 16 { flushXML() }
    }

    public mutating func finish() {
        endSheet()
        pack(.start("xl/workbook.xml"))
        var workbook = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
        for n in 1...sheets {
            workbook += #"<sheet name="\#(name(ofSheet: n))" sheetId="\#(n)" r:id="rId\#(n)"/>"#
        }
        workbook += "</sheets><definedNames>"
        for n in 1...sheets {
            // Excel keeps each sheet's filter range under this hidden name; without it the filter still
            // shows, but Excel rewrites the file on first save.
            workbook += #"<definedName name="_xlnm._FilterDatabase" localSheetId="\#(n - 1)" hidden="1">'\#(name(ofSheet: n))'!$A$1:$\#(String(decoding: letters.last!, as: UTF8.self))$\#(filterRows[n - 1])</definedName>"#
        }
        workbook += "</definedNames></workbook>"
        pack(.write(Array(workbook.utf8)))
        pack(.end)
        pack(.start("xl/_rels/workbook.xml.rels"))
        var rels = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
            + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for n in 1...sheets {
            rels += #"<Relationship Id="rId\#(n)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(n).xml"/>"#
        }
        rels += #"<Relationship Id="rId\#(sheets + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        rels += "</Relationships>"
        pack(.write(Array(rels.utf8)))
        pack(.end)
        pack(.finish)
    }

    /// The last row of each finished sheet, for the workbook's filter names.
    private var filterRows: [Int] = []

    func name(ofSheet n: Int) -> String { n == 1 ? sheetName : "\(sheetName) (\(n))" }

    private mutating func startSheet() {
        sheets += 1
        rowsInSheet = 0
        pack(.start("xl/worksheets/sheet\(sheets).xml"))
        append(#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n")
        append(#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#)
        append(#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>"#)
        append(#"<sheetFormatPr defaultRowHeight="15"/><cols>"#)
        for (i, column) in columns.enumerated() {
            append(#"<col min="\#(i + 1)" max="\#(i + 1)" width="\#(column.width)" customWidth="1"/>"#)
        }
        append("</cols><sheetData>")
        rowsInSheet = 1
        appendRowStart()
        for (i, column) in columns.enumerated() {
            appendCellStart(i, style: Style.header, type: "inlineStr")
            append("<is><t>"); appendEscaped(Self.clipped(column.name)); append("</t></is></c>")
        }
        append("</row>")
    }

    private mutating func endSheet() {
        append("</sheetData>")
        append(#"<autoFilter ref="A1:\#(String(decoding: letters.last!, as: UTF8.self))\#(rowsInSheet)"/>"#)
        append("</worksheet>")
        filterRows.append(rowsInSheet)
        flushXML()
        pack(.end)
    }

    private mutating func flushXML() {
        guard !xml.isEmpty else { return }
        pack(.write(xml))
        xml = []
        xml.reserveCapacity(1 << 17)
    }

    /// Style indexes into `cellXfs` of `styles`.
    enum Style {
        static let header = 1, date = 2, decimal = 3
    }

    private mutating func appendRowStart() {
        put("<row r=\""); appendNumber(Int64(rowsInSheet)); put("\">")
    }

    private mutating func appendCellStart(_ column: Int, style: Int?, type: StaticString?) {
        put("<c r=\""); xml.append(contentsOf: letters[column]); appendNumber(Int64(rowsInSheet)); put("\"")
        if let style { put(" s=\""); appendNumber(Int64(style)); put("\"") }
        if let type { put(" t=\""); put(type); put("\"") }
        put(">")
    }

    /// A name an export holds in UTF-8 (`TableCell.utf8`): copied as it is when that is what `appendInlineText` would
    /// write (ASCII, so valid UTF-8, with nothing to escape or drop, and short enough for a cell), which is nearly every
    /// name; otherwise as text. A million claims' five names each were five million `String`s made and walked.
    private mutating func appendInlineText(_ column: Int, utf8 bytes: ArraySlice<UInt8>) {
        let copied = bytes.count <= 32_767 && !bytes.contains {
            $0 < 0x20 || $0 >= 0x80 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
        }
        guard copied else { return appendInlineText(column, String(decoding: bytes, as: UTF8.self)) }
        appendCellStart(column, style: nil, type: "inlineStr")
        // Of XML's spaces only the space itself can be here (the others are below 0x20).
        if bytes.first == UInt8(ascii: " ") || bytes.last == UInt8(ascii: " ") {
            put("<is><t xml:space=\"preserve\">")
        } else {
            put("<is><t>")
        }
        xml.append(contentsOf: bytes)
        put("</t></is></c>")
    }

    /// A fixed piece of markup: its bytes copied, no `String` to retain and read.
    private mutating func put(_ markup: StaticString) {
        xml.append(contentsOf: UnsafeBufferPointer(start: markup.utf8Start, count: markup.utf8CodeUnitCount))
    }

    private mutating func appendInlineText(_ column: Int, _ s: String) {
        appendCellStart(column, style: nil, type: "inlineStr")
        put("<is><t")
        let text = Self.clipped(s)
        if let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
           Self.isXMLSpace(first) || Self.isXMLSpace(last) {
            append(" xml:space=\"preserve\"")
        }
        put(">")
        appendEscaped(text)
        put("</t></is></c>")
    }

    private mutating func appendTextCell(_ column: Int, _ text: String) {
        appendCellStart(column, style: nil, type: "inlineStr")
        append("<is><t xml:space=\"preserve\">"); appendEscaped(Self.clipped(text)); append("</t></is></c>")
    }

    private mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { xml.append(contentsOf: $0) }
    }

    private mutating func appendNumber(_ n: Int64) {
        if n < 0 { xml.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { xml.append(buffer[i]) }
        }
    }

    /// XML 1.0 text: `&`, `<`, `>` escaped, a carriage return kept as `&#13;` (a parser would turn a raw one
    /// into a line feed), and characters XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) dropped.
    private mutating func appendEscaped(_ text: String) {
        var text = text
        let plain = text.withUTF8 { bytes in
            !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == 0xEF }
        }
        if plain {
            text.withUTF8 { xml.append(contentsOf: $0) }
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: append("&amp;")
            case 0x3C: append("&lt;")
            case 0x3E: append("&gt;")
            case 0x0D: append("&#13;")
            case 0x09, 0x0A: xml.append(UInt8(scalar.value))
            case 0..<0x20, 0xFFFE, 0xFFFF: continue
            default: xml.append(contentsOf: String(scalar).utf8)
            }
        }
    }

    private static func isXMLSpace(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\n" || s == "\r" }

    /// Excel holds at most 32,767 characters (UTF-16 units) in a cell and calls a file with more damaged.
    static func clipped(_ text: String) -> String {
        guard text.utf8.count > 32_767, text.utf16.count > 32_767 else { return text }
        return text.prefix(upTo: 32_767) { $0.utf16.count }
    }

    static func isPlainDecimal(_ s: String) -> Bool {
        var digits = 0, dots = 0
        for (i, byte) in s.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "-") where i == 0: continue
            default: return false
            }
        }
        return digits > 0 && dots <= 1
    }

    /// Days since 1899-12-30 (the serial date of Excel and every spreadsheet after it), to the second.
    static func serial(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded()
        let days = seconds / 86_400 + 25_569
        return String(days)
    }

    /// A, B, ..., Z, AA, AB, ...
    static func columnLetters(_ index: Int) -> String {
        var n = index + 1, letters = ""
        while n > 0 {
            let r = (n - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + r))) + letters
            n = (n - 1) / 26
        }
        return letters
    }

    static let contentTypes = #"""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>
        """#

    static let packageRelationships = #"""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
        """#

    /// cellXfs: 0 normal, 1 bold (header), 2 date and time, 3 `#,##0.00` (built-in format 4).
    static let styles = #"""
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>
        """#
}
