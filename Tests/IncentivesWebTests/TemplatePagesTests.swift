import Foundation
import HTTPTypes
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import NIOCore
import SQLKit
import Testing

@Suite("Proof template files: uploaded on a draft, served to partners under their own names, pinned versions keep theirs")
struct TemplatePagesTests {
    /// A Word document as far as the rules look: a package with a `word/` part.
    static let docx: [UInt8] = {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
        var bytes: [UInt8] = []
        for name in ["[Content_Types].xml", "word/document.xml"] {
            let body = Array("<x/>".utf8), nameBytes = Array(name.utf8)
            bytes += [0x50, 0x4B, 0x03, 0x04] + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(body.count) + le32(body.count)
            bytes += le16(nameBytes.count) + le16(0) + nameBytes + body
        }
        return bytes + [0x50, 0x4B, 0x05, 0x06] + Array(repeating: 0, count: 18)
    }()
    static let pdf = ClaimPageTests.pdf
    static let docxType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    static func manager(_ app: WebHarness) async throws -> Viewer {
        try #require(try await UserRepository(db: app.db).find(email: "manager@vendor.example")).viewer
    }

    /// A drafted workshop asking for a findings document, with Bluefin Seattle on its list.
    static func draft(_ app: WebHarness) async throws -> Int64 {
        let pm = try await manager(app)
        var input = EngagementTermsInput()
        input.type = "workshop"; input.payModel = "fixed"; input.currency = "USD"; input.rateA = "5000"
        input.description = "A workshop with a findings template."
        input.proof = [.findingsDocument: "", .customerSurvey: ""]
        let id = try await CatalogueConsole(db: app.db).draft(EngagementDraft(name: "Template workshop", solutionAreaID: 1, role: .buildIntent,
                                                                              opensOn: DayDate(app.clock.now), closesAfter: nil,
                                                                              terms: try input.terms()), by: pm, at: app.clock.now)
        try await EligibilityLists(db: app.db).add(1, to: id, by: pm, at: app.clock.now)
        return id
    }

    static func count(_ app: WebHarness) async throws -> [Int] {
        try await app.db.read { sql in
            var counts: [Int] = []
            for table in ["proof_templates", "program_changes", "engagement_versions"] {
                counts.append(try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decodingColumn: "n", as: Int.self) ?? 0)
            }
            return counts
        }
    }

    @Test("the program manager uploads, replaces and removes a draft's template; published, the partner downloads the exact bytes under its name",
          arguments: TestDatabases.flavors)
    func uploadAndDownload(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let id = try await Self.draft(app)
            let pm = try await app.signedIn("manager@vendor.example")
            let form = try await pm.get("/catalogue/engagements/\(id)/draft")
            #expect(form.status == .ok && form.body.contains(#"id="template-input-findings_document""#) && form.body.contains("Template file"))
            let path = "/catalogue/engagements/\(id)/draft/templates/findings_document"
            let first = try await pm.upload(path, [], file: ("template", "Findings v1.pdf", Self.pdf))
            #expect(first.status == .seeOther && first.location == "/catalogue/engagements/\(id)/draft")
            let replaced = try await pm.upload(path, [], file: ("template", "Findings template.docx", Self.docx))
            #expect(replaced.status == .seeOther)
            let page = try await pm.get("/catalogue/engagements/\(id)/draft")
            #expect(page.body.contains("Findings template.docx") && page.body.contains("template version 2"))
            let console = try await pm.get("/catalogue/engagements/\(id)")
            #expect(console.body.contains("Template uploaded: Findings / proof-of-execution document, version 1: Findings v1.pdf"))
            #expect(console.body.contains("Template replaced"), "the engagement's history lists each change")

            // A vendor user downloads it from the console.
            let files = try await ProofTemplates(db: app.db).files(Array(1...50))
            let docx = try #require(files.values.first { $0.engagementID == id && $0.fileName == "Findings template.docx" })
            let reviewer = try await app.signedIn("reviewer@vendor.example")
            let vendorCopy = try await reviewer.get("/catalogue/engagements/\(id)/templates/\(docx.id)")
            #expect(vendorCopy.status == .ok && Array(vendorCopy.body.utf8) == Self.docx)
            #expect(try await reviewer.get("/catalogue/engagements/\(id + 1)/templates/\(docx.id)").status == .notFound, "through its own engagement only")

            // Partners see nothing of a draft; once published, the file under its own name.
            let partner = try await app.signedIn("admin@bluefin.example")
            #expect(try await partner.get("/engagements/\(id)/templates/findings_document").status == .notFound)
            _ = try await pm.get("/catalogue/engagements/\(id)")
            #expect(try await pm.post("/catalogue/engagements/\(id)/publish", []).status == .seeOther)
            let download = try await partner.get("/engagements/\(id)/templates/findings_document")
            #expect(download.status == .ok && Array(download.body.utf8) == Self.docx)
            #expect(download.headers[.contentType] == Self.docxType && download.headers[.xContentTypeOptions] == "nosniff")
            #expect(download.headers[.contentDisposition]
                == "attachment; filename=\"Findings template.docx\"; filename*=UTF-8''Findings%20template.docx")
            let summary = try await partner.get("/engagements/\(id)")
            #expect(summary.body.contains("/engagements/\(id)/templates/findings_document"), "the engagement's page links it")
            // Another organization's partner does not see the engagement, nor its template.
            let kestrel = try await app.signedIn("admin@kestrel.example")
            #expect(try await kestrel.get("/engagements/\(id)/templates/findings_document").status == .notFound)

            // A published version keeps its file: removing or uploading needs a new version.
            #expect(try await pm.post(path + "/remove", []).status == .unprocessableContent)
            #expect(try await pm.post("/catalogue/engagements/\(id)/versions", []).status == .seeOther)
            #expect(try await pm.post(path + "/remove", []).status == .seeOther)
            let draftPage = try await pm.get("/catalogue/engagements/\(id)/draft")
            #expect(!draftPage.body.contains(#"id="template-file-findings_document""#))
            #expect(try await partner.get("/engagements/\(id)/templates/findings_document").headers[.contentType] == Self.docxType,
                    "the version in force still serves its file")
        }
    }

    @Test("a claim pinned to version 1 gets version 1's file from its claim page after version 2 brings a new one",
          arguments: TestDatabases.flavors)
    func pinnedClaim(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let row = try await app.db.read { sql in
                try await sql.raw("""
                    SELECT c.id, c.engagement_id, c.engagement_version FROM claims c JOIN engagements e ON e.id = c.engagement_id
                    WHERE c.location_id = 1 AND c.kind = 'partner_activities' AND e.lifecycle = 'published' ORDER BY c.id
                    """).first()
            }
            let claim = try #require(row).decode(column: "id", as: Int64.self)
            let engagementID = try #require(row).decode(column: "engagement_id", as: Int64.self)
            let pinned = try #require(row).decode(column: "engagement_version", as: Int.self)
            let engagement = try #require(try await CatalogueRepository(db: app.db).engagement(engagementID))
            let pinnedVersion = try #require(engagement.version(number: pinned))
            let seeded = try #require(ProofTemplate(engagement, version: pinnedVersion, kind: .findingsDocument))

            let pm = try await app.signedIn("manager@vendor.example")
            _ = try await pm.get("/catalogue/engagements/\(engagementID)")
            #expect(try await pm.post("/catalogue/engagements/\(engagementID)/versions", []).status == .seeOther)
            let upload = try await pm.upload("/catalogue/engagements/\(engagementID)/draft/templates/findings_document", [],
                                             file: ("template", "New findings.pdf", Self.pdf))
            #expect(upload.status == .seeOther)
            _ = try await pm.get("/catalogue/engagements/\(engagementID)")
            #expect(try await pm.post("/catalogue/engagements/\(engagementID)/publish", []).status == .seeOther)

            let partner = try await app.signedIn("admin@bluefin.example")
            let claimPage = try await partner.get("/claims/\(claim)")
            let href = "/engagements/\(engagementID)/templates/findings_document?version=\(pinned)"
            #expect(claimPage.body.contains(href), "the claim links its own version's template")
            let old = try await partner.get(href)
            #expect(old.status == .ok && old.body == seeded.text, "the seeded file of the pinned version, as the seeder uploaded it")
            #expect(old.headers[.contentDisposition]?.contains("filename*=UTF-8''\(seeded.fileName)") == true)
            let current = try await partner.get("/engagements/\(engagementID)/templates/findings_document")
            #expect(Array(current.body.utf8) == Self.pdf && current.headers[.contentType] == "application/pdf")
            #expect(try await partner.get("/engagements/\(engagementID)/templates/findings_document?version=999").status == .notFound)
        }
    }

    @Test("hostile files and names are refused next to the field with 422 and store nothing; reviewers and partners cannot upload",
          arguments: TestDatabases.flavors)
    func hostile(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor) { app in
            let id = try await Self.draft(app)
            let pm = try await app.signedIn("manager@vendor.example")
            let path = "/catalogue/engagements/\(id)/draft/templates/findings_document"
            let before = try await Self.count(app)
            let cases: [(String, String, [UInt8])] = [
                ("a PNG", "photo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]),
                ("over 10 MB", "big.txt", Array(repeating: 0x41, count: 10 * 1024 * 1024 + 1)),
                ("a 0-byte file", "empty.pdf", []),
                ("no file chosen", "", []),
                ("a folder in the name", "../../etc/passwd.txt", Array("text".utf8)),
                ("a quote in the name", "say \"hi\".pdf", Self.pdf),
                ("an escape in the name", "evil\u{1B}[2J.pdf", Self.pdf),
                ("a direction control in the name", "invoice\u{202E}fdp.txt", Array("text".utf8)),
            ]
            for (label, name, bytes) in cases {
                _ = try await pm.get("/catalogue/engagements/\(id)/draft")
                let page = try await pm.upload(path, [], file: ("template", name, bytes))
                #expect(page.status == .unprocessableContent, "\(label): \(page.status)")
                #expect(page.body.contains(#"id="template-findings_document-error""#), "\(label): the sentence sits next to the field")
            }
            // A requirement the draft does not ask for, and an engagement that does not exist.
            let invoice = try await pm.upload("/catalogue/engagements/\(id)/draft/templates/invoice", [], file: ("template", "Invoice.pdf", Self.pdf))
            #expect(invoice.status == .unprocessableContent && invoice.body.contains("The draft asks for no invoice"))
            #expect(try await pm.upload("/catalogue/engagements/987654/draft/templates/findings_document", [],
                                        file: ("template", "x.pdf", Self.pdf)).status == .notFound)
            #expect(try await pm.upload("/catalogue/engagements/\(id)/draft/templates/galactic", [],
                                        file: ("template", "x.pdf", Self.pdf)).status == .notFound)
            // Without the form token the upload is refused before anything is read.
            #expect(try await pm.upload(path, [], file: ("template", "Findings.pdf", Self.pdf), csrf: "forged").status == .forbidden)
            for email in ["reviewer@vendor.example", "admin@bluefin.example", "admin@cedar.example"] {
                let browser = try await app.signedIn(email)
                _ = try await browser.get("/")
                #expect(try await browser.upload(path, [], file: ("template", "Findings.pdf", Self.pdf)).status == .forbidden, "\(email)")
                #expect(try await browser.post(path + "/remove", []).status == .forbidden, "\(email)")
            }
            #expect(try await Self.count(app) == before, "nothing stored")
        }
    }
}
