import Foundation

/// Reads an .xlsx the way a reader no one here wrote does: Python's `zipfile` (which checks every entry's
/// CRC-32 and size against the central directory) and `xml.etree` (which refuses XML that is not
/// well-formed), and openpyxl as well when it is installed (scripts/e2e.sh puts it in .venv). Tests of the
/// XLSX export check what these readers see, not what our writer meant to write.
public struct SpreadsheetReader {
    /// What the readers saw.
    public struct Workbook: Decodable, Sendable {
        public var entries: [String]
        public var contentTypes: [String: String]
        public var sheets: [Sheet]
        /// Number formats and bold flags per style index (`cellXfs`).
        public var styles: [Style]
        /// openpyxl's reading of every sheet (cell values as text, dates as ISO 8601), when it is installed.
        public var openpyxl: [[[String?]]]?
    }

    public struct Sheet: Decodable, Sendable {
        public var name: String
        public var frozen: String?
        public var autoFilter: String?
        public var widths: [Double]
        public var rows: [[Cell]]
    }

    public struct Cell: Decodable, Sendable, Equatable {
        public var ref: String
        public var type: String?
        public var style: Int
        public var value: String

        public init(ref: String, type: String?, style: Int, value: String) {
            self.ref = ref; self.type = type; self.style = style; self.value = value
        }
    }

    public struct Style: Decodable, Sendable {
        public var numFmtId: Int
        public var formatCode: String?
        public var bold: Bool
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Python with openpyxl when the e2e virtualenv has it, otherwise the system's python3.
    static var python: String {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(".venv/bin/python").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return "/usr/bin/env"
    }

    public static func read(_ bytes: [UInt8]) throws -> Workbook {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("book.xlsx"), script = dir.appendingPathComponent("read.py")
        try Data(bytes).write(to: file)
        try Data(Self.script.utf8).write(to: script)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = (python == "/usr/bin/env" ? ["python3"] : []) + [script.path, file.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting: a large workbook's JSON fills the pipe.
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python could not read the workbook: \(String(decoding: errors, as: UTF8.self))")
        }
        return try JSONDecoder().decode(Workbook.self, from: data)
    }

    static let script = #"""
        import json, os, sys, zipfile
        import xml.etree.ElementTree as ET

        M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
        R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
        P = "{http://schemas.openxmlformats.org/package/2006/relationships}"
        T = "{http://schemas.openxmlformats.org/package/2006/content-types}"

        z = zipfile.ZipFile(sys.argv[1])
        bad = z.testzip()
        if bad is not None:
            sys.exit(f"CRC or size mismatch in {bad}")
        names = z.namelist()
        parts = {n: ET.fromstring(z.read(n)) for n in names}  # every part must be well-formed XML
        types = {}
        for d in parts["[Content_Types].xml"]:
            key = d.get("Extension") or d.get("PartName")
            types[key] = d.get("ContentType")
        rels = {r.get("Id"): r.get("Target") for r in parts["xl/_rels/workbook.xml.rels"].iter(P + "Relationship")}
        styles = parts["xl/styles.xml"]
        formats = {int(f.get("numFmtId")): f.get("formatCode") for f in styles.iter(M + "numFmt")}
        fonts = [f.find(M + "b") is not None for f in styles.find(M + "fonts")]
        xfs = [{"numFmtId": int(x.get("numFmtId", 0)), "formatCode": formats.get(int(x.get("numFmtId", 0))),
                "bold": fonts[int(x.get("fontId", 0))]} for x in styles.find(M + "cellXfs")]
        sheets = []
        for s in parts["xl/workbook.xml"].iter(M + "sheet"):
            root = parts["xl/" + rels[s.get(R + "id")]]
            pane = root.find(f"{M}sheetViews/{M}sheetView/{M}pane")
            rows = []
            for row in root.iter(M + "row"):
                cells = []
                for c in row.iter(M + "c"):
                    if c.get("t") == "inlineStr":
                        value = "".join(t.text or "" for t in c.iter(M + "t"))
                    else:
                        value = c.findtext(M + "v") or ""
                    cells.append({"ref": c.get("r"), "type": c.get("t"), "style": int(c.get("s", 0)), "value": value})
                rows.append(cells)
            af = root.find(M + "autoFilter")
            sheets.append({"name": s.get("name"),
                           "frozen": pane.get("state") + ":" + pane.get("topLeftCell") if pane is not None else None,
                           "autoFilter": af.get("ref") if af is not None else None,
                           "widths": [float(c.get("width")) for c in root.iter(M + "col")], "rows": rows})
        result = {"entries": names, "contentTypes": types, "sheets": sheets, "styles": xfs, "openpyxl": None}
        try:
            import openpyxl
        except ImportError:
            if os.environ.get("CI"):  # a CI run must not lose the independent check without a word
                sys.exit("openpyxl is missing and CI is set: install e2e/requirements.txt into .venv (scripts/test.sh does)")
            openpyxl = None
        if openpyxl is not None:
            book = openpyxl.load_workbook(sys.argv[1], read_only=True)
            def text(v):
                if v is None: return None
                if hasattr(v, "isoformat"): return v.isoformat()
                return str(v)
            result["openpyxl"] = [[[text(v) for v in row] for row in ws.iter_rows(values_only=True)] for ws in book.worksheets]
        json.dump(result, sys.stdout)
        """#
}
