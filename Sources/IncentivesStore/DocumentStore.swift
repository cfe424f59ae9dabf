import Crypto
import Foundation

/// Proof-of-execution files on disk, named by the SHA-256 of their content (`ab/abcdef…`), in a folder
/// the web server never serves directly: downloads go through the claim's access check. The same
/// document uploaded twice is kept once; a file is written to a temporary name and renamed, so a reader
/// never sees half of one.
public struct DocumentStore: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public static func hash(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Keeps the bytes; returns their content hash.
    public func keep(_ bytes: [UInt8]) throws -> String {
        let hash = Self.hash(bytes)
        let target = path(for: hash)
        let manager = FileManager.default
        if manager.fileExists(atPath: target) { return hash }
        let folder = (target as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.incoming-" + UUID().uuidString
        guard manager.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw StoreError.badConfiguration("Documents can't be written to \(directory); check UPLOAD_DIR and its permissions.")
        }
        if rename(temporary, target) != 0 {
            try? manager.removeItem(atPath: temporary)
            throw StoreError.badConfiguration("Documents can't be stored in \(directory) (rename failed, errno \(errno)).")
        }
        return hash
    }

    /// The bytes of a kept document, or nil when the file is missing.
    public func read(_ hash: String) -> Data? {
        guard hash.count == 64, hash.allSatisfy({ $0.isHexDigit }) else { return nil }
        return FileManager.default.contents(atPath: path(for: hash))
    }

    func path(for hash: String) -> String {
        "\(directory)/\(hash.prefix(2))/\(hash)"
    }
}
