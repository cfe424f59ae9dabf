import Foundation

/// One thing wrong with one row of an import: its line in the file, the column, and what is wrong, in words.
public struct ImportProblem: Error, Hashable, Sendable {
    public var line: Int
    public var column: String
    public var message: String

    public init(line: Int, column: String, message: String) { self.line = line; self.column = column; self.message = message }
}

/// A CSV file read into records (RFC 4180: quoted fields, doubled quotes, CRLF or LF), each with the line it starts on.
public struct CSVTable: Sendable {
    public struct Record: Sendable {
        public var line: Int
        /// Values by lower-cased header name.
        public var values: [String: String]

        public func value(_ column: String) -> String { (values[column] ?? "").trimmingCharacters(in: .whitespaces) }
    }

    public var header: [String]
    public var records: [Record]

    /// The most rows one import takes: a list is hundreds of locations, never more than this.
    public static let maxRecords = 5_000
    /// The largest file an import takes (its preview sends the text back as a form to apply it).
    public static let maxFileBytes = 200 * 1024

    /// An uploaded file's text: UTF-8 (a spreadsheet's byte-order mark is read past later), within `maxBytes` (`maxFileBytes` unless given).
    public static func text(ofFile bytes: [UInt8], tooLarge: Bool = false, maxBytes: Int = CSVTable.maxFileBytes) throws(ImportProblem) -> String {
        if tooLarge || bytes.count > maxBytes {
            throw ImportProblem(line: 1, column: "", message: "The file is larger than \(maxBytes / 1024) KB; import it in parts.")
        }
        guard !bytes.isEmpty else { throw ImportProblem(line: 1, column: "", message: "Choose a CSV file to import; the one sent is empty.") }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw ImportProblem(line: 1, column: "", message: "The file is not UTF-8 text: save it from the spreadsheet as CSV UTF-8.")
        }
        return text
    }

    /// Reads `text`, refusing a file that is empty, unbalanced in its quotes, too long, or missing a `required` column.
    /// `oneOf` lists column sets of which at least one must be complete; `maxRecords` is the most rows it takes.
    public init(_ text: String, required: [String], oneOf: [[String]] = [], maxRecords: Int = CSVTable.maxRecords) throws(ImportProblem) {
        let rows = try Self.rows(text)
        guard let first = rows.first else {
            throw ImportProblem(line: 1, column: "", message: "The file is empty; the first line names the columns.")
        }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for column in required where !header.contains(column) {
            throw ImportProblem(line: 1, column: column, message: "The header has no \(column) column.")
        }
        if !oneOf.isEmpty, !oneOf.contains(where: { $0.allSatisfy(header.contains) }) {
            let options = oneOf.map { $0.joined(separator: " and ") }.joined(separator: ", or ")
            throw ImportProblem(line: 1, column: oneOf[0][0], message: "The header needs \(options).")
        }
        let body = rows.dropFirst().filter { !($0.fields.count == 1 && $0.fields[0].trimmingCharacters(in: .whitespaces).isEmpty) }
        guard body.count <= maxRecords else {
            throw ImportProblem(line: 1, column: "", message: "The file has \(body.count) rows; import at most \(maxRecords) at a time.")
        }
        var records: [Record] = []
        for row in body {
            guard row.fields.count == header.count else {
                throw ImportProblem(line: row.line, column: "",
                                    message: "The row has \(row.fields.count) values for \(header.count) columns "
                                        + "(a comma inside a value needs quotes).")
            }
            records.append(Record(line: row.line, values: Dictionary(zip(header, row.fields), uniquingKeysWith: { a, _ in a })))
        }
        self.header = header
        self.records = records
    }

    /// Splits the text into rows of fields, by code point, with each row's first line number.
    static func rows(_ text: String) throws(ImportProblem) -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = [], field = String.UnicodeScalarView(), quoted = false, afterQuote = false
        var line = 1, rowLine = 1, quoteLine = 1, rowStarted = false
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        if pending == "\u{FEFF}" { pending = scalars.next() } // a spreadsheet's byte-order mark
        while let c = pending {
            pending = scalars.next()
            rowStarted = true
            if quoted {
                if c == "\"" {
                    if pending == "\"" { field.append(c); pending = scalars.next() } else { quoted = false; afterQuote = true }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
                continue
            }
            switch c {
            case "\"" where field.isEmpty && !afterQuote: quoted = true; quoteLine = line
            case ",": fields.append(String(field)); field = .init(); afterQuote = false
            case "\r" where pending == "\n": continue
            case "\n", "\r":
                fields.append(String(field)); rows.append((rowLine, fields))
                fields = []; field = .init(); afterQuote = false; line += 1; rowLine = line; rowStarted = false
            default:
                if afterQuote { throw ImportProblem(line: line, column: "", message: "A value has text after its closing quote.") }
                field.append(c)
            }
        }
        if quoted { throw ImportProblem(line: quoteLine, column: "", message: "A quote opened on this line is never closed.") }
        if rowStarted { fields.append(String(field)); rows.append((rowLine, fields)) }
        return rows
    }
}

/// One row of a list import: which location (its id, or its organization's and its own name) and what to do.
public struct ListImportLine: Hashable, Sendable {
    public enum Place: Hashable, Sendable {
        case id(Int64)
        case names(organization: String, location: String)
    }

    public var line: Int
    public var place: Place
    public var action: ListAction

    /// The rows of a list import (`location_id` or `organization,location`; `action` add|remove), and the problems of
    /// those that can't be read. A file that can't be read at all is one problem.
    public static func read(_ text: String) -> (lines: [ListImportLine], problems: [ImportProblem]) {
        let table: CSVTable
        do throws(ImportProblem) {
            table = try CSVTable(text, required: ["action"], oneOf: [["location_id"], ["organization", "location"]])
        } catch {
            return ([], [error])
        }
        var lines: [ListImportLine] = [], problems: [ImportProblem] = []
        for record in table.records {
            let place: Place
            let id = record.value("location_id")
            if !id.isEmpty {
                guard let number = Int64(id), number > 0 else {
                    problems.append(ImportProblem(line: record.line, column: "location_id", message: "\"\(id)\" is not a location id."))
                    continue
                }
                place = .id(number)
            } else {
                let organization = record.value("organization"), location = record.value("location")
                guard !organization.isEmpty, !location.isEmpty else {
                    problems.append(ImportProblem(line: record.line, column: table.header.contains("location_id") ? "location_id" : "location",
                                                  message: "Give the location's id, or its organization's name and its own."))
                    continue
                }
                place = .names(organization: organization, location: location)
            }
            guard let action = ListAction(rawValue: record.value("action").lowercased()) else {
                problems.append(ImportProblem(line: record.line, column: "action",
                                              message: "The action is \"\(record.value("action"))\"; use add or remove."))
                continue
            }
            lines.append(ListImportLine(line: record.line, place: place, action: action))
        }
        return (lines, problems)
    }
}

/// One row of a criteria import: the location (its id or its name), the criterion's exact words, and the checked setting.
public struct CriteriaImportLine: Hashable, Sendable {
    public var line: Int
    public var location: String
    public var criterion: String
    public var setting: CriterionSetting

    /// The rows of a criteria import (`location`, `criterion`, `status`, `expires_on`, `evidence`) and the problems of
    /// those that can't be read: the setting is checked by `CriterionSetting`'s rules, against `today`.
    public static func read(_ text: String, today: DayDate) -> (lines: [CriteriaImportLine], problems: [ImportProblem]) {
        let table: CSVTable
        do throws(ImportProblem) { table = try CSVTable(text, required: ["location", "criterion", "status"]) } catch { return ([], [error]) }
        var lines: [CriteriaImportLine] = [], problems: [ImportProblem] = []
        for record in table.records {
            let location = record.value("location"), criterion = record.value("criterion")
            if location.isEmpty { problems.append(ImportProblem(line: record.line, column: "location", message: "The location is missing.")) }
            if criterion.isEmpty { problems.append(ImportProblem(line: record.line, column: "criterion", message: "The criterion is missing.")) }
            do throws(InputRefusal) {
                let setting = try CriterionSetting(status: record.value("status"), expiresOn: record.value("expires_on"),
                                                   evidence: record.values["evidence"] ?? "", today: today)
                if !location.isEmpty && !criterion.isEmpty {
                    lines.append(CriteriaImportLine(line: record.line, location: location, criterion: criterion, setting: setting))
                }
            } catch {
                problems.append(ImportProblem(line: record.line, column: error.field, message: error.message))
            }
        }
        return (lines, problems)
    }
}
