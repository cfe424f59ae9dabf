import Foundation

/// The formats proof of execution may come in, recognised by their content, never by the name or the
/// browser's claim (DOMAIN.md: documents a reviewer can open).
public enum DocumentFormat: String, CaseIterable, Sendable, Codable {
    case pdf, docx, xlsx, png, jpeg

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    public var label: String { self == .jpeg ? "JPEG" : rawValue.uppercased() }

    /// The format of a file from its bytes. Word and Excel files are both ZIP packages; the part names
    /// inside (`word/…`, `xl/…`) tell them apart. Anything else (including other ZIPs) is nil.
    public static func sniff(_ bytes: [UInt8]) -> DocumentFormat? {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        guard starts([0x50, 0x4B, 0x03, 0x04]) else { return nil }
        // Part names of the ZIP's local headers: name length at offset 26, extra length at 28, name at 30.
        var offset = 0
        var isPackage = false, word = false, excel = false
        while offset + 30 <= bytes.count, bytes[offset..<offset + 4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) {
            let flags = Int(bytes[offset + 6]) | Int(bytes[offset + 7]) << 8
            let compressed = Int(bytes[offset + 18]) | Int(bytes[offset + 19]) << 8 | Int(bytes[offset + 20]) << 16 | Int(bytes[offset + 21]) << 24
            let nameLength = Int(bytes[offset + 26]) | Int(bytes[offset + 27]) << 8
            let extraLength = Int(bytes[offset + 28]) | Int(bytes[offset + 29]) << 8
            guard offset + 30 + nameLength <= bytes.count else { break }
            let name = String(decoding: bytes[offset + 30..<offset + 30 + nameLength], as: UTF8.self)
            if name == "[Content_Types].xml" { isPackage = true }
            if name.hasPrefix("word/") { word = true }
            if name.hasPrefix("xl/") { excel = true }
            // A streamed entry (flag bit 3) does not say its size up front: stop walking, decide on what was seen.
            if flags & 0x08 != 0 { break }
            offset += 30 + nameLength + extraLength + compressed
        }
        if !(word || excel) {
            // Writers that stream every part: find the part names anywhere in the file.
            word = contains(bytes, Array("word/document.xml".utf8))
            excel = contains(bytes, Array("xl/workbook.xml".utf8))
            isPackage = isPackage || contains(bytes, Array("[Content_Types].xml".utf8))
        }
        guard isPackage, word != excel else { return nil }
        return word ? .docx : .xlsx
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var i = 0
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first && bytes[i..<i + needle.count].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

/// What an upload of proof must satisfy; every problem is a sentence for the form.
public struct UploadPolicy: Sendable, Hashable {
    public var maxBytes: Int

    public init(maxBytes: Int = 25 * 1024 * 1024) { self.maxBytes = maxBytes }

    public var limitText: String {
        maxBytes % (1024 * 1024) == 0 ? "\(maxBytes / (1024 * 1024)) MB" : "\(maxBytes / 1024) KB"
    }

    /// Checks a received file; returns its format and a safe name, or the reason it is refused.
    public func check(fileName: String, bytes: [UInt8]) -> Result<(format: DocumentFormat, name: String), UploadProblem> {
        if bytes.isEmpty { return .failure(.empty) }
        if bytes.count > maxBytes { return .failure(.tooLarge(limitText)) }
        guard let format = DocumentFormat.sniff(bytes) else { return .failure(.unsupportedType) }
        return .success((format, Self.safeName(fileName, format: format)))
    }

    /// A name safe to show and to send back in a header: the last path part, letters, digits and a few
    /// marks, at most 100 characters, ending in the extension of what the file really is.
    public static func safeName(_ raw: String, format: DocumentFormat) -> String {
        safeName(raw, fileExtension: format.fileExtension)
    }

    /// `safeName(_:format:)` for a file whose real extension is known otherwise (a proof template's).
    public static func safeName(_ raw: String, fileExtension: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var kept = String(last.unicodeScalars.map { scalar -> Character in
            if CharacterSet.alphanumerics.contains(scalar) || " .-_()".unicodeScalars.contains(scalar) { return Character(scalar) }
            return "_"
        })
        kept = kept.trimmingCharacters(in: CharacterSet(charactersIn: " ._"))
        var stem = kept
        if let dot = kept.lastIndex(of: ".") { stem = String(kept[..<dot]) }
        stem = String(stem.trimmingCharacters(in: CharacterSet(charactersIn: " ._")).prefix(90))
        if stem.isEmpty { stem = "document" }
        return "\(stem).\(fileExtension)"
    }
}

public enum UploadProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(String)
    case unsupportedType
    case noFile

    public var description: String {
        switch self {
        case .empty: "The file is empty. Choose the document again."
        case .tooLarge(let limit): "The file is larger than \(limit). Save a smaller copy (a PDF of the signed pages, for instance) and upload that."
        case .unsupportedType: "This file is not a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG document. Save it in one of those formats."
        case .noFile: "Choose a file to upload."
        }
    }
}

