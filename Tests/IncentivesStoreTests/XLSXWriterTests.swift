import Foundation
@testable import IncentivesStore
import Testing

@Suite("The streaming XLSX writer and its ZIP package, read back by Python's zipfile, xml.etree (and openpyxl)")
struct XLSXWriterTests {
    let modified = Date(timeIntervalSince1970: 1_795_600_000) // 2026-11-25T09:46:40Z
    let columns = [TableColumn("id", width: 8), TableColumn("name", width: 30), TableColumn("amount", width: 12),
                   TableColumn("when", width: 20)]

    /// The whole file, drained in the pieces a streaming caller would take.
    func workbook(_ rows: [[TableCell]], rowsPerSheet: Int = 1_048_576, limits: ZipStream.Limits = .init()) -> [UInt8] {
        var writer = XLSXWriter(columns: columns, sheetName: "Claims", modified: modified, rowsPerSheet: rowsPerSheet, zipLimits: limits)
        var bytes: [UInt8] = []
        for row in rows {
            writer.row(row)
            if writer.pendingCount >= 1 << 16 { bytes += writer.take() }
        }
        writer.finish()
        return bytes + writer.take()
    }

    @Test("text is escaped, illegal XML characters dropped, numbers and dates typed; header bold, frozen, filtered, widths set")
    func cellsAndLayout() throws {
        let when = Date(timeIntervalSince1970: 1_795_615_845) // 2026-11-25T14:10:45Z
        let nasty = "Tom & Jerry <b>\"quoted\"</b> 'x' \u{1}\u{8}bell\u{B}\u{FFFE}\r\nnext\tline — Ünïcödé 🚀"
        let rows: [[TableCell]] = [
            [.integer(42), .text(nasty), .decimal("5000.00"), .date(when)],
            [.integer(-7), .text("=HYPERLINK(\"http://evil.example\")"), .decimal("-12.5"), .empty],
            [.integer(9_007_199_254_740_993), .text("  padded  "), .decimal("not a number"), .text("")],
        ]
        let book = try SpreadsheetReader.read(workbook(rows))
        #expect(book.entries.first == "[Content_Types].xml", "the content types come first, where file sniffers look")
        #expect(Set(book.entries) == ["[Content_Types].xml", "_rels/.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                                      "xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
        #expect(book.contentTypes["/xl/workbook.xml"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
        let sheet = try #require(book.sheets.first)
        #expect(book.sheets.count == 1 && sheet.name == "Claims")
        #expect(sheet.frozen == "frozen:A2" && sheet.autoFilter == "A1:D4" && sheet.widths == [8, 30, 12, 20])
        #expect(sheet.rows.count == 4)
        #expect(sheet.rows[0].map(\.value) == ["id", "name", "amount", "when"])
        #expect(sheet.rows[0].allSatisfy { book.styles[$0.style].bold })
        let first = sheet.rows[1]
        #expect(first.map(\.ref) == ["A2", "B2", "C2", "D2"])
        #expect(first[0] == .init(ref: "A2", type: nil, style: 0, value: "42"))
        // Control characters XML 1.0 forbids are gone; a carriage return survives the parser as one.
        #expect(first[1].type == "inlineStr" && first[1].value == "Tom & Jerry <b>\"quoted\"</b> 'x' bell\r\nnext\tline — Ünïcödé 🚀")
        #expect(first[2].type == nil && first[2].value == "5000.00" && book.styles[first[2].style].numFmtId == 4)
        #expect(first[3].type == nil && book.styles[first[3].style].formatCode == "yyyy-mm-dd hh:mm:ss")
        // Serial days since 1899-12-30: 2026-11-25 is day 46351, 14:10:45 is 51045 s into it.
        let serial = try #require(Double(first[3].value))
        #expect(abs(serial - (46_351 + 51_045.0 / 86_400)) < 1e-9)
        let second = sheet.rows[2]
        #expect(second.count == 3, "an empty cell is left out")
        #expect(second[1].type == "inlineStr" && second[1].value == "=HYPERLINK(\"http://evil.example\")", "inline strings are never formulas")
        #expect(second[2].value == "-12.5")
        let third = sheet.rows[3]
        #expect(third[0].value == "9007199254740993", "integers are written exactly, not through a Double")
        #expect(third[1].value == "  padded  ", "leading and trailing spaces are kept")
        #expect(third[2].type == "inlineStr" && third[2].value == "not a number", "a decimal that is not plain becomes text")
        // openpyxl reads the cells independently of our reader; in CI it must be there, not skipped without a word.
        if TestEnvironment.isCI() {
            #expect(book.openpyxl != nil, "CI is set but openpyxl is missing: create .venv with openpyxl before swift test (scripts/e2e.sh does)")
        }
        if let openpyxl = book.openpyxl {
            #expect(openpyxl[0][1] == ["42", "Tom & Jerry <b>\"quoted\"</b> 'x' bell\r\nnext\tline — Ünïcödé 🚀", "5000.0", "2026-11-25T14:10:45"])
        }
    }

    @Test("past the rows a sheet may hold, the table goes on in a numbered sheet with its own header")
    func sheetsRollOver() throws {
        let rows = (1...7).map { [TableCell.integer(Int64($0)), .text("row \($0)"), .empty, .empty] }
        let book = try SpreadsheetReader.read(workbook(rows, rowsPerSheet: 3))
        #expect(book.sheets.map(\.name) == ["Claims", "Claims (2)", "Claims (3)", "Claims (4)"])
        #expect(book.sheets.allSatisfy { $0.rows.first?.first?.value == "id" && $0.frozen == "frozen:A2" })
        #expect(book.sheets.flatMap { $0.rows.dropFirst().map { $0[0].value } } == (1...7).map(String.init))
        #expect(book.sheets.map(\.autoFilter) == ["A1:D3", "A1:D3", "A1:D3", "A1:D2"])
    }

    @Test("an empty table is a valid workbook with its header")
    func emptyTable() throws {
        let book = try SpreadsheetReader.read(workbook([]))
        #expect(book.sheets.count == 1 && book.sheets[0].rows.count == 1 && book.sheets[0].autoFilter == "A1:D1")
    }

    @Test("ZIP64 records where sizes and offsets overflow 32 bits (limits lowered to reach them) read back intact")
    func zip64Sizes() throws {
        let rows = (1...2_000).map { [TableCell.integer(Int64($0)), .text(String(repeating: "x", count: $0 % 90)), .decimal("1.00"), .date(modified)] }
        let normal = workbook(rows)
        let forced = workbook(rows, limits: .init(uint32: 1_000, entries: 2))
        #expect(forced.count > normal.count, "the ZIP64 extra fields and end records take room")
        let book = try SpreadsheetReader.read(forced)
        #expect(book.sheets[0].rows.count == 2_001 && book.sheets[0].rows.last?[0].value == "2000")
        // The normal archive holds no ZIP64 end record (signature PK\x06\x06); the forced one does.
        let signature: [UInt8] = [0x50, 0x4b, 0x06, 0x06]
        #expect(!contains(normal, signature) && contains(forced, signature))
    }

    @Test("more than 65,535 entries: the ZIP64 end record carries the count")
    func zip64Entries() throws {
        var zip = ZipStream(modified: modified)
        var bytes: [UInt8] = []
        for n in 0..<65_540 {
            zip.startEntry("e/\(n).txt")
            zip.write("entry \(n)")
            zip.endEntry()
            if zip.output.count > 1 << 16 { bytes += zip.take() }
        }
        zip.finish()
        bytes += zip.take()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("zip64-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("many.zip")
        try Data(bytes).write(to: file)
        let check = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            names = z.namelist()
            assert len(names) == 65540, len(names)
            assert z.read("e/65539.txt") == b"entry 65539"
            print("ok")
            """
        #expect(try runPython(check, file.path) == "ok\n")
    }

    @Test("streaming: the bytes waiting in the writer stay small however many rows pass")
    func memoryStaysFlat() throws {
        var writer = XLSXWriter(columns: columns, sheetName: "Claims", modified: modified)
        var largest = 0, bytes: [UInt8] = []
        for n in 0..<50_000 {
            writer.row([.integer(Int64(n)), .text("claim number \(n) for a customer"), .decimal("5000.00"), .date(modified)])
            largest = max(largest, writer.pendingCount)
            if writer.pendingCount >= 1 << 16 { bytes += writer.take() }
        }
        writer.finish()
        bytes += writer.take()
        // The sheet's XML that went through, as the archive's directory counts it (its entries are compressed).
        let xml = try ZipDirectory.entries(of: bytes).map(\.uncompressed).reduce(0, +)
        #expect(xml > 5_000_000 && largest < 300_000, "largest buffer \(largest) bytes of \(xml)")
    }

    @Test("entries are deflated as they stream: a 50,000-row sheet to well under half its size, the file smaller than the CSV")
    func compressed() throws {
        var writer = XLSXWriter(columns: columns, sheetName: "Claims", modified: modified)
        var csv = CSVTableWriter(columns: columns)
        var bytes: [UInt8] = [], csvBytes = 0, largest = 0
        for n in 0..<50_000 {
            let row: [TableCell] = [.integer(Int64(n)), .text("claim \(n) for customer \(n % 977)"), .decimal("\(n % 5_000).\(n % 100)"),
                                    .date(modified.addingTimeInterval(Double(n) * 37))]
            writer.row(row)
            csv.row(row)
            largest = max(largest, writer.bufferCapacity)
            if writer.pendingCount >= 1 << 16 { bytes += writer.take() }
            csvBytes += csv.take().count
        }
        writer.finish()
        bytes += writer.take()
        let entries = try ZipDirectory.entries(of: bytes)
        #expect(entries.count == 6 && entries.allSatisfy { $0.method == 8 }, "every entry is deflated")
        let sheet = try #require(entries.first { $0.name == "xl/worksheets/sheet1.xml" })
        #expect(sheet.uncompressed > 5_000_000 && sheet.compressed * 4 < sheet.uncompressed, "sheet \(sheet.compressed) of \(sheet.uncompressed)")
        for entry in entries where entry.uncompressed >= 1_024 {
            #expect(entry.compressed * 2 < entry.uncompressed, "\(entry.name): \(entry.compressed) of \(entry.uncompressed)")
        }
        #expect(bytes.count < csvBytes, "the workbook (\(bytes.count) bytes) is smaller than the CSV of the same rows (\(csvBytes))")
        // Flat memory: no buffer grew past its bound while 50,000 rows went through.
        #expect(largest <= XLSXWriter.bufferBound, "buffers reached \(largest) bytes")
        // Python's zipfile inflates every entry and checks its CRC-32 and size.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("deflated-\(UUID().uuidString).xlsx")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let check = """
            import sys, zipfile
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            assert sheet.count("<row ") == 50001 and "claim 49999 for customer" in sheet, sheet[-300:]
            print("ok")
            """
        #expect(try runPython(check, file.path) == "ok\n")
    }

    /// Names an export holds in UTF-8 are copied as they are when nothing needs escaping: the same workbook, byte for
    /// byte, as from the same text as `String`s, whether copied or not.
    @Test("a cell of UTF-8 bytes is written as the same text from a String is")
    func utf8CellsAsText() {
        let values = ["", "plain name", " padded ", "padded ", " padded", "a & b", "<tag>", "x > y", "Zoë Ångström 東京 🚀", "tab\there",
                      "line\nbreak", "cr\rhere", "=SUM(A1)", "\u{FFFE}odd", "bad \u{1} control", String(repeating: "long ", count: 7_000),
                      String(repeating: "é", count: 20_000)]
        let columns = [TableColumn("name", width: 20)]
        var asText = XLSXWriter(columns: columns, sheetName: "Names", modified: Date(timeIntervalSince1970: 1_800_000_000))
        var asBytes = XLSXWriter(columns: columns, sheetName: "Names", modified: Date(timeIntervalSince1970: 1_800_000_000))
        for value in values {
            asText.row([.text(value)])
            asBytes.row([.utf8(ArraySlice(value.utf8))])
        }
        asText.finish(); asBytes.finish()
        #expect(asText.take() == asBytes.take())
    }

    @Test("CRC-32 matches the standard check value")
    func crc() {
        var crc = CRC32()
        crc.update(Array("123456789".utf8))
        #expect(crc.value == 0xCBF4_3926)
        var split = CRC32()
        split.update(Array("1234".utf8)); split.update(Array("56789".utf8))
        #expect(split.value == crc.value)
    }

    /// The CRC of every length and every split, at every alignment, against the definition: a byte at a time, shifted
    /// through the polynomial bit by bit (no table).
    @Test("CRC-32 eight bytes at a time is the CRC of the definition, for every length, split and alignment")
    func crcSlices() {
        func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return ~c
        }
        var random = SplitMix64(state: 32)
        let bytes = (0..<96).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for start in 0..<9 {
            for end in start...bytes.count {
                let expected = reference(bytes[start..<end])
                var whole = CRC32()
                bytes[start..<end].withUnsafeBytes { whole.update($0) }
                #expect(whole.value == expected, "\(start)..<\(end)")
                let middle = (start + end) / 2
                var split = CRC32()
                bytes[start..<middle].withUnsafeBytes { split.update($0) }
                bytes[middle..<end].withUnsafeBytes { split.update($0) }
                #expect(split.value == expected, "\(start)..<\(middle)..<\(end)")
            }
        }
    }

    @Test("column letters")
    func letters() {
        #expect([0, 25, 26, 27, 51, 52, 701, 702, 16_383].map(XLSXWriter.columnLetters) == ["A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"])
    }

    /// The central directory of a ZIP file (APPNOTE 4.3.12), read independently of the writer: each entry's name,
    /// method and sizes.
    enum ZipDirectory {
        struct Entry { var name: String; var method: Int; var compressed: Int; var uncompressed: Int }
        struct ZipError: Error { var message: String }

        static func entries(of bytes: [UInt8]) throws -> [Entry] {
            func number(_ at: Int, _ size: Int) -> Int { (0..<size).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
            guard let end = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { number($0, 4) == 0x0605_4b50 }) else {
                throw ZipError(message: "no end of central directory record")
            }
            var at = number(end + 16, 4), entries: [Entry] = []
            for _ in 0..<number(end + 10, 2) {
                guard number(at, 4) == 0x0201_4b50 else { throw ZipError(message: "no central header at \(at)") }
                let nameLength = number(at + 28, 2)
                entries.append(Entry(name: String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self), method: number(at + 10, 2),
                                     compressed: number(at + 20, 4), uncompressed: number(at + 24, 4)))
                at += 46 + nameLength + number(at + 30, 2) + number(at + 32, 2)
            }
            return entries
        }
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { i in haystack[i..<(i + needle.count)].elementsEqual(needle) }
    }

    func runPython(_ script: String, _ arguments: String...) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
