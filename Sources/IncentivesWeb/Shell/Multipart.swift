import Foundation
import Hummingbird
import IncentivesDomain
import MultipartKit
import NIOCore

/// A `multipart/form-data` upload read as it streams in: the form token first, then the fields the form sends
/// as text and one file in memory up to a limit. A forged upload is refused at its first part, before any file
/// is read; a body of more than `maxParts` parts or `limit` + `overhead` bytes stops where it goes past; fields
/// the form does not send are not kept.
struct MultipartUpload {
    var fields: [String: String] = [:]
    var fileName: String?
    var fileBytes: [UInt8] = []
    /// The file went over `limit`; its bytes were dropped.
    var tooLarge = false

    /// A form's fields, its token and its file, with room to spare.
    static let maxParts = 20
    /// What a body may hold besides the file: the fields and the parts' headers.
    static let overhead = 64 * 1024

    /// Paths whose handlers read multipart bodies (and check their form token) themselves.
    static func isUploadPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        // An eligibility list's CSV import (`/catalogue/engagements/{id}/eligibility/import`) takes a file too.
        if parts.count == 5, parts[0] == "catalogue", parts[1] == "engagements", Int64(parts[2]) != nil, parts[3] == "eligibility",
           parts[4] == "import" { return true }
        // A proof template of an engagement's draft (`/catalogue/engagements/{id}/draft/templates/{kind}`).
        if parts.count == 6, parts[0] == "catalogue", parts[1] == "engagements", Int64(parts[2]) != nil, parts[3] == "draft",
           parts[4] == "templates" { return true }
        // A bank's confirmation file for a payment run (`/payments/runs/{id}/confirmations`).
        if parts.count == 4, parts[0] == "payments", parts[1] == "runs", Int64(parts[2]) != nil, parts[3] == "confirmations" { return true }
        return parts.count == 3 && parts[0] == "claims" && Int64(parts[1]) != nil && parts[2] == "documents"
    }

    /// Reads the upload, keeping the text of the fields named in `names`.
    static func read(_ request: Request, context: AppRequestContext, limit: Int, fields names: Set<String>) async throws -> MultipartUpload {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundary = Self.boundary(of: contentType) else {
            throw HTTPError(.unsupportedMediaType, message: "Send the document with the upload form.")
        }
        final class Collector {
            var upload = MultipartUpload()
            var parts = 0
            var inPart = false
            var name: String?
            var isFile = false
            /// The part is the form token, a field the form sends, or the (first) file.
            var keep = false
            var text: [UInt8] = []
            var tokenChecked = false
            var refused = false

            func startPart() {
                if !inPart { inPart = true; parts += 1 }
            }
        }
        let c = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in
            c.startPart()
            guard name.lowercased() == "content-disposition" else { return }
            c.name = Self.parameter("name", in: value)
            let file = Self.parameter("filename", in: value)
            c.isFile = file != nil
            // The form token comes first, as the forms put it: anything else first is a forged or foreign form.
            if c.parts == 1 && (c.isFile || c.name != "csrf_token") { c.refused = true }
            if let file {
                c.keep = c.upload.fileName == nil
                if c.keep { c.upload.fileName = file }
            } else {
                c.keep = c.name == "csrf_token" || c.name.map(names.contains) == true
            }
        }
        parser.onBody = { buffer in
            c.startPart()
            if !c.keep || c.refused || c.upload.tooLarge || (c.isFile && !c.tokenChecked) {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                return
            }
            if c.isFile {
                if c.upload.fileBytes.count + buffer.readableBytes > limit {
                    c.upload.tooLarge = true
                    c.upload.fileBytes = []
                    buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                    return
                }
                c.upload.fileBytes += buffer.readBytes(length: buffer.readableBytes) ?? []
            } else if c.text.count + buffer.readableBytes <= overhead {
                c.text += buffer.readBytes(length: buffer.readableBytes) ?? []
            } else {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            }
        }
        parser.onPartComplete = {
            c.startPart()
            let value = String(decoding: c.text, as: UTF8.self)
            if !c.tokenChecked {
                if c.name == "csrf_token" && !c.isFile && CSRFMiddleware.accepts(value, request: request, context: context) {
                    c.tokenChecked = true
                } else {
                    c.refused = true
                }
            } else if c.keep, !c.isFile, let name = c.name, name != "csrf_token" {
                c.upload.fields[name] = value
            }
            c.inPart = false; c.name = nil; c.isFile = false; c.keep = false; c.text = []
        }
        var received = 0
        for try await chunk in request.body {
            received += chunk.readableBytes
            guard received <= limit + Self.overhead else {
                throw HTTPError(.contentTooLarge, message: "The upload is larger than \(UploadPolicy(maxBytes: limit).limitText) and the form's fields; nothing was saved.")
            }
            do { try parser.execute(chunk) } catch {
                throw HTTPError(.badRequest, message: "The upload arrived damaged. Try again.")
            }
            if c.refused { throw CSRFRefused() }
            guard c.parts <= Self.maxParts else {
                throw HTTPError(.badRequest, message: "The upload has more parts than the form sends; nothing was saved.")
            }
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
