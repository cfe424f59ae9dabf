import Foundation

/// The formats a proof template the vendor uploads may come in: documents partners open and fill in. Recognised by
/// their content; only plain text (`txt` or `csv`, which no content tells apart) goes by the name's extension.
public enum TemplateFormat: String, CaseIterable, Sendable, Codable {
    case pdf, docx, xlsx, pptx, txt, csv, odt

    public var mediaType: String {
        switch self {
        case .pdf, .docx, .xlsx: DocumentFormat(rawValue: rawValue)!.mediaType
        case .pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .txt: "text/plain; charset=utf-8"
        case .csv: "text/csv; charset=utf-8"
        }
    }

    public var fileExtension: String { rawValue }

    /// The format of a file from its bytes (and, for plain text, its name); nil for anything else.
    public static func sniff(_ bytes: [UInt8], fileName: String) -> TemplateFormat? {
        if let document = DocumentFormat.sniff(bytes) {
            return TemplateFormat(rawValue: document.rawValue)
        }
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
        if bytes.starts(with: zip) {
            // OpenDocument: the first part is `mimetype`, stored, holding the type (ODF 1.2, section 3.3).
            if bytes.count > 38 + 39, String(decoding: bytes[30..<38], as: UTF8.self) == "mimetype",
               String(decoding: bytes[38..<77], as: UTF8.self) == "application/vnd.oasis.opendocument.text" { return .odt }
            let presentation = DocumentFormat.contains(bytes, Array("ppt/presentation.xml".utf8))
            return presentation && DocumentFormat.contains(bytes, Array("[Content_Types].xml".utf8)) ? .pptx : nil
        }
        guard isPlainText(bytes) else { return nil }
        return fileName.lowercased().hasSuffix(".csv") ? .csv : .txt
    }

    /// UTF-8 text with no control character but tabs and line breaks: what a partner's editor opens as text.
    static func isPlainText(_ bytes: [UInt8]) -> Bool {
        guard let text = String(bytes: bytes, encoding: .utf8) else { return false }
        return !text.unicodeScalars.contains { $0.properties.generalCategory == .control && !["\t", "\n", "\r"].contains($0) }
    }
}

/// A template file as received, checked: its format and the name partners download it under.
public struct CheckedTemplateFile: Sendable, Hashable {
    public var format: TemplateFormat
    public var fileName: String
}

/// What an uploaded proof template must satisfy (a document type partners open, at most `maxBytes`, a name that is a
/// file's name and nothing more); every refusal is about the form's `template` field.
public struct TemplateFileRules: Sendable, Hashable {
    public var maxBytes: Int

    public init(maxBytes: Int = 10 * 1024 * 1024) { self.maxBytes = maxBytes }

    public static let nameRule = TextRule(label: "The template's file name", maxLength: 200, required: true,
                                          missing: "Choose the template file to upload.")

    public var limitText: String { UploadPolicy(maxBytes: maxBytes).limitText }

    /// The file's format and name, or the refusal. The name is kept as uploaded (trimmed): one that would mean more
    /// than a name (a folder, a quote, a control character) is refused rather than quietly changed.
    public func check(fileName: String?, bytes: [UInt8], tooLarge: Bool = false) throws(TemplateFileRefusal) -> CheckedTemplateFile {
        if tooLarge || bytes.count > maxBytes { throw .tooLarge(limitText) }
        guard let fileName, !(fileName.isEmpty && bytes.isEmpty) else { throw .noFile }
        let name: String
        do throws(InputRefusal) { name = try Self.nameRule.check(fileName, field: "template") } catch { throw .badName(error.message) }
        if name.contains(where: { $0 == "/" || $0 == "\\" }) || name.unicodeScalars.contains(where: { $0 == "/" || $0 == "\\" }) {
            throw .badName("The file name \(name) names a folder; upload the file under its own name, such as findings-template.docx.")
        }
        if name.unicodeScalars.contains(where: { "\"'`<>:*?|".unicodeScalars.contains($0) }) || name.hasPrefix(".") {
            throw .badName("A file name holds no quotes or \" ' ` < > : * ? |, and does not start with a dot; rename the file and upload it again.")
        }
        if bytes.isEmpty { throw .empty }
        guard let format = TemplateFormat.sniff(bytes, fileName: name) else { throw .unsupportedType }
        // The name ends in what the file really is, so the partner's computer opens it with the right program.
        let stem = name.lowercased().hasSuffix("." + format.fileExtension) ? String(name.dropLast(format.fileExtension.count + 1))
            : (name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name)
        return CheckedTemplateFile(format: format, fileName: (stem.isEmpty ? "template" : stem) + "." + format.fileExtension)
    }

    /// The `Content-Disposition` of a download: the name as kept for every client (`filename*`, RFC 6266 and 8187), and
    /// a plain ASCII one for those that read only `filename`.
    public static func contentDisposition(fileName: String, format: TemplateFormat) -> String {
        let fallback = UploadPolicy.safeName(fileName, fileExtension: format.fileExtension)
            .unicodeScalars.map { $0.isASCII ? String($0) : "_" }.joined()
        return "attachment; filename=\"\(fallback)\"; filename*=UTF-8''\(PercentEncoding.unreserved(fileName))"
    }
}

/// Why an uploaded template is refused, in a sentence for the form's `template` field.
public enum TemplateFileRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    case noFile
    case empty
    case tooLarge(String)
    case unsupportedType
    case badName(String)

    public var description: String {
        switch self {
        case .noFile: "Choose the template file to upload."
        case .empty: "The file is empty (0 bytes). Choose the template again."
        case .tooLarge(let limit): "The file is larger than \(limit). Upload a smaller copy of the template."
        case .unsupportedType:
            "A template is a PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument text (.odt), plain text (.txt) or CSV file."
        case .badName(let message): message
        }
    }
}

extension TemplateFileRefusal: DomainRefusal {
    public var refusalKind: RefusalKind {
        switch self {
        case .tooLarge: .tooLarge
        case .badName: .invalidInput
        case .noFile, .empty, .unsupportedType: .invalidDocument
        }
    }
    public var refusedInput: String? { "template" }
}
