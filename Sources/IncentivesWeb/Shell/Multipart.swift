import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A `multipart/form-data` upload read as it streams in: small fields as text, one file in memory up to a
/// limit. The form token must come before the file (the forms put it first, as browsers send fields in
/// page order), so a forged upload is refused before its file is read; an oversized one stops at the limit.
struct MultipartUpload {
    var fields: [String: String] = [:]
    var fileName: String?
    var fileBytes: [UInt8] = []
    /// The file went over `limit`; its bytes were dropped.
    var tooLarge = false

    /// Paths whose handlers read multipart bodies (and check their form token) themselves.
    static func isUploadPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        return parts.count == 3 && parts[0] == "claims" && Int64(parts[1]) != nil && parts[2] == "documents"
    }

    static func read(_ request: Request, context: AppRequestContext, limit: Int) async throws -> MultipartUpload {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = Self.boundary(of: contentType) else {
            throw HTTPError(.unsupportedMediaType, message: "Send the document with the upload form.")
        }
        final class Collector {
            var upload = MultipartUpload()
            var name: String?
            var isFile = false
            var text: [UInt8] = []
            var tokenChecked = false
            var refused = false
            let limit: Int
            init(limit: Int) { self.limit = limit }
        }
        let c = Collector(limit: limit)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            guard name.lowercased() == "content-disposition" else { return }
            c.name = Self.parameter("name", in: value)
            if let file = Self.parameter("filename", in: value) { c.isFile = true; c.upload.fileName = file }
        }
        parser.onBody = { buffer in
            if c.isFile {
                // Fields before the file decide whether it is read at all.
                if !c.tokenChecked { c.refused = true }
                if c.refused || c.upload.tooLarge { buffer.moveReaderIndex(forwardBy: buffer.readableBytes); return }
                if c.upload.fileBytes.count + buffer.readableBytes > c.limit {
                    c.upload.tooLarge = true
                    c.upload.fileBytes = []
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                    return
                }
                c.upload.fileBytes += buffer.readBytes(length: buffer.readableBytes) ?? []
            } else if c.text.count + buffer.readableBytes <= 64 * 1024 {
                c.text += buffer.readBytes(length: buffer.readableBytes) ?? []
            } else {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
        }
        parser.onPartComplete = {
            if !c.isFile, let name = c.name {
                let value = String(decoding: c.text, as: UTF8.self)
                c.upload.fields[name] = value
                if name == "csrf_token" { c.tokenChecked = CSRFMiddleware.accepts(value, request: request, context: context) }
            }
            c.name = nil; c.isFile = false; c.text = []
        }
        for try await chunk in request.body {
            do { try parser.execute(chunk) } catch {
                throw HTTPError(.badRequest, message: "The upload arrived damaged. Try again.")
            }
            if c.refused { throw CSRFRefused() }
            // Stop reading a body that is far past the limit: the answer is known.
            if c.upload.tooLarge { break }
        }
        if !c.tokenChecked { throw CSRFRefused() }
        return c.upload
    }

    static func boundary(of contentType: String) -> String? {
        parameter("boundary", in: contentType).flatMap { $0.isEmpty || $0.count > 200 ? nil : $0 }
    }

    /// A parameter of a header value: `name="value"` or `name=value`.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }
}
