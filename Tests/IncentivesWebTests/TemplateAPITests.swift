import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import Testing

@Suite("The API's proof templates: PUT and DELETE on a draft for program managers' write tokens, GET for partners")
struct TemplateAPITests {
    static func put(_ app: WebHarness, _ engagement: Int64, kind: String = "findings_document", name: String, bytes: [UInt8],
                    token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        headers[HTTPField.Name("X-File-Name")!] = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["."])) ?? name
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await app.client.executeRequest(uri: "/api/v1/catalogue/engagements/\(engagement)/draft/templates/\(kind)", method: .put,
                                                   headers: headers, body: ByteBuffer(bytes: bytes))
    }

    @Test("the program manager puts a file on a draft and deletes it; read tokens, reviewers and partners are refused; partners download it",
          arguments: TestDatabases.flavors)
    func putDeleteGet(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let id = try await TemplatePagesTests.draft(app)
            let manager = try await app.token("manager@vendor.example")
            let before = try await TemplatePagesTests.count(app)
            // Who may not: no token, a read token, the reviewer's and a partner's write tokens; an unknown engagement.
            #expect(try await Self.put(app, id, name: "Findings.pdf", bytes: ClaimPageTests.pdf, token: nil).status == .unauthorized)
            let reading = try await app.token("manager@vendor.example", scope: .read)
            #expect(try await Self.put(app, id, name: "Findings.pdf", bytes: ClaimPageTests.pdf, token: reading).status == .forbidden)
            for email in ["reviewer@vendor.example", "admin@bluefin.example"] {
                let token = try await app.token(email)
                #expect(try await Self.put(app, id, name: "Findings.pdf", bytes: ClaimPageTests.pdf, token: token).status == .forbidden, "\(email)")
            }
            #expect(try await Self.put(app, 987_654, name: "Findings.pdf", bytes: ClaimPageTests.pdf, token: manager).status == .notFound)
            // Hostile files and names: 422 (413 over the size), nothing stored.
            for (name, bytes) in [("../x.pdf", ClaimPageTests.pdf), ("a\"b.pdf", ClaimPageTests.pdf), ("photo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
                                  ("bell\u{7}.txt", Array("x".utf8))] as [(String, [UInt8])] {
                let answer = try await Self.put(app, id, name: name, bytes: bytes, token: manager)
                #expect(answer.status == .unprocessableContent, "\(name): \(answer.status)")
            }
            #expect(try await Self.put(app, id, name: "big.txt", bytes: Array(repeating: 0x41, count: 10 * 1024 * 1024 + 1), token: manager).status
                == .contentTooLarge)
            #expect(try await TemplatePagesTests.count(app) == before, "nothing stored")

            let put = try await Self.put(app, id, name: "Findings template.docx", bytes: TemplatePagesTests.docx, token: manager)
            #expect(put.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: put.body)) as? [String: Any])
            #expect(json["file_name"] as? String == "Findings template.docx" && json["version_label"] as? String == "1")
            #expect(json["sha256"] as? String == DocumentStore.hash(TemplatePagesTests.docx))
            let manager2 = try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
            try await CatalogueConsole(db: app.db).publish(id, effectiveFrom: nil, by: manager2, at: app.clock.now)
            #expect(try await app.api("/api/v1/catalogue/engagements/\(id)/draft/templates/findings_document", method: .delete,
                                      token: manager).status == .unprocessableContent, "a published version keeps its file")

            let partner = try await app.token("admin@bluefin.example", scope: .read)
            let download = try await app.api("/api/v1/engagements/\(id)/templates/findings_document", token: partner)
            #expect(download.status == .ok && Array(buffer: download.body) == TemplatePagesTests.docx)
            #expect(download.headers[.contentType] == TemplatePagesTests.docxType)
            #expect(download.headers[.contentDisposition]?.contains("filename*=UTF-8''Findings%20template.docx") == true)
            let kestrel = try await app.token("admin@kestrel.example", scope: .read)
            #expect(try await app.api("/api/v1/engagements/\(id)/templates/findings_document", token: kestrel).status == .notFound)
            #expect(try await app.api("/api/v1/engagements/\(id)/templates/findings_document", token: reading).status == .forbidden)

            _ = try await CatalogueConsole(db: app.db).startVersion(id, by: manager2, at: app.clock.now)
            #expect(try await app.api("/api/v1/catalogue/engagements/\(id)/draft/templates/findings_document", method: .delete,
                                      token: reading).status == .forbidden, "a read token deletes nothing")
            #expect(try await app.api("/api/v1/catalogue/engagements/\(id)/draft/templates/findings_document", method: .delete,
                                      token: manager).status == .noContent)
            // The generated text where a requirement names a template without a file (engagement 2 of the demo, version 1).
            let generated = try await app.api("/api/v1/engagements/2/templates/findings_document?version=1", token: partner)
            #expect(generated.status == .ok && generated.headers[.contentType]?.hasPrefix("text/plain") == true)
        }
    }
}
