import Foundation
import IncentivesDomain
import Testing

@Suite("Proof templates the vendor uploads: their types, size, names and download header")
struct TemplateFileRulesTests {
    static let rules = TemplateFileRules(maxBytes: 1_024)

    /// An OpenDocument text: its first part is `mimetype`, stored, holding the type.
    static var odt: [UInt8] {
        let type = Array("application/vnd.oasis.opendocument.text".utf8), name = Array("mimetype".utf8)
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        let entry = [0x50, 0x4B, 0x03, 0x04] + le16(10) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(type.count)
            + le32(type.count) + le16(name.count) + le16(0) + name + type
        return entry + zipBytes(["content.xml"])
    }

    @Test("each allowed type is recognised by its content (plain text by its name), and nothing else is")
    func types() throws {
        let cases: [([UInt8], String, TemplateFormat)] = [
            (Array("%PDF-1.7\n%%EOF".utf8), "Findings.pdf", .pdf),
            (zipBytes(["[Content_Types].xml", "word/document.xml"]), "Findings.docx", .docx),
            (zipBytes(["[Content_Types].xml", "xl/workbook.xml"]), "Hours.xlsx", .xlsx),
            (zipBytes(["[Content_Types].xml", "ppt/presentation.xml"]), "Readout.pptx", .pptx),
            (Self.odt, "Findings.odt", .odt),
            (Array("Customer:\n\tFindings: ______\r\n".utf8), "Findings.txt", .txt),
            (Array("section,answer\nCustomer,\n".utf8), "Findings.csv", .csv),
        ]
        for (bytes, name, format) in cases {
            let checked = try Self.rules.check(fileName: name, bytes: bytes)
            #expect(checked.format == format && checked.fileName == name, "\(name)")
        }
        // The name ends in what the file is: a PDF named .docx is served as a PDF.
        #expect(try Self.rules.check(fileName: "Findings v2.docx", bytes: Array("%PDF-1.7".utf8)).fileName == "Findings v2.pdf")
        #expect(try Self.rules.check(fileName: "Résumé des constats", bytes: Array("Texte".utf8)).fileName == "Résumé des constats.txt")
        let upper = try Self.rules.check(fileName: "Hours.CSV", bytes: Array("a,b\n".utf8))
        #expect(upper.format == .csv && upper.fileName == "Hours.csv", "the extension is written as the format's")
        let refused: [[UInt8]] = [
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0],       // a PNG: a proof format, not a template's
            zipBytes(["[Content_Types].xml", "other/part.xml"]),            // a ZIP that is no office document
            Array("MZ\u{0}\u{0}binary".utf8),                                // an executable's start
            [0x66, 0x6F, 0xC3, 0x28],                                        // not UTF-8
            Array("text with a bell \u{7}".utf8),
        ]
        for bytes in refused {
            #expect(throws: TemplateFileRefusal.unsupportedType) { try Self.rules.check(fileName: "template.txt", bytes: bytes) }
        }
    }

    @Test("empty, too large, no file, and names that mean more than a name are refused about the template field")
    func refusals() {
        #expect(throws: TemplateFileRefusal.empty) { try Self.rules.check(fileName: "empty.pdf", bytes: []) }
        #expect(throws: TemplateFileRefusal.noFile) { try Self.rules.check(fileName: "", bytes: []) }
        #expect(throws: TemplateFileRefusal.noFile) { try Self.rules.check(fileName: nil, bytes: Array("x".utf8)) }
        #expect(throws: TemplateFileRefusal.tooLarge("1 KB")) { try Self.rules.check(fileName: "big.txt", bytes: Array(repeating: 0x41, count: 1_025)) }
        #expect(throws: TemplateFileRefusal.tooLarge("1 KB")) { try Self.rules.check(fileName: "big.txt", bytes: [], tooLarge: true) }
        for name in ["../../etc/passwd", "..\\secrets.txt", "a/b.txt", "say \"hi\".txt", "it's.txt", "line\nbreak.txt", "bell\u{7}.txt",
                     "evil\u{202E}txt.exe", ".hidden.txt", "   ", String(repeating: "n", count: 201) + ".txt"] {
            do {
                _ = try Self.rules.check(fileName: name, bytes: Array("Text".utf8))
                Issue.record("\(name.debugDescription) was accepted")
            } catch {
                #expect(error.refusedInput == "template" && !error.description.isEmpty, "\(name.debugDescription)")
                if case .badName = error {} else if case .noFile = error {} else { Issue.record("\(name.debugDescription): \(error)") }
            }
        }
        let refusal: any DomainRefusal = TemplateFileRefusal.tooLarge("10 MB")
        #expect(refusal.refusalKind == .tooLarge && TemplateFileRefusal.badName("x").refusalKind == .invalidInput)
        #expect(TemplateFileRules().limitText == "10 MB")
    }

    @Test("the download names the file as kept (RFC 8187) with a plain ASCII fallback; no quote or line break reaches the header")
    func contentDisposition() {
        #expect(TemplateFileRules.contentDisposition(fileName: "Findings template v2.docx", format: .docx)
            == "attachment; filename=\"Findings template v2.docx\"; filename*=UTF-8''Findings%20template%20v2.docx")
        let header = TemplateFileRules.contentDisposition(fileName: "Résumé (final).pdf", format: .pdf)
        #expect(header == "attachment; filename=\"R_sum_ (final).pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%28final%29.pdf")
        #expect(header.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 })
    }
}
