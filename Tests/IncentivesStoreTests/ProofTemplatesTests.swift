import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

@Suite("Proof templates the vendor uploads: on the draft only, versioned with the engagement, on SQLite and PostgreSQL")
struct ProofTemplatesTests {
    let now = TestDatabases.now
    static let findings = Array("Findings template\n1. Customer\n2. Findings\n".utf8)
    static let pdf = Array("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".utf8)

    /// A program, an area and a drafted workshop asking for a findings document and a customer survey.
    static func draft(_ db: Database, now: Date) async throws -> (id: Int64, pm: Viewer) {
        let console = CatalogueConsole(db: db)
        let pm = try await CatalogueConsoleTests.manager(db, now: now)
        _ = try await console.createProgram(name: "Partner Rewards", managerName: "Robin Park", managerEmail: "pm@vendor.example", by: pm, at: now)
        let area = try await console.addArea(code: "cloud", name: "Cloud", position: nil, by: pm, at: now)
        let id = try await console.draft(EngagementDraft(name: "Cloud plans workshop", solutionAreaID: area, role: .buildIntent, opensOn: DayDate(now),
                                                         closesAfter: nil, terms: try CatalogueConsoleTests.workshopTerms().terms()), by: pm, at: now)
        return (id, pm)
    }

    static func count(_ db: Database, _ table: String) async throws -> Int {
        try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first(decodingColumn: "n", as: Int.self) ?? 0 }
    }

    static func findingsRequirement(_ db: Database, _ id: Int64, version: Int) async throws -> ProofRequirement? {
        let (_, requirements) = try await db.read { sql in
            let row = try await sql.raw("""
                SELECT number, proof_requirements FROM engagement_versions WHERE engagement_id = \(bind: id) AND number = \(bind: version)
                """).first()!
            return (0, try JSONDecoder().decode([ProofRequirement].self, from: Data(try row.decode(column: "proof_requirements", as: String.self).utf8)))
        }
        return requirements.first { $0.kind == .findingsDocument }
    }

    @Test("upload, same bytes again, replace, remove on a draft; a published version keeps its file and a new version gets its own",
          arguments: TestDatabases.flavors)
    func lifecycle(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: false) { db in
            let (id, pm) = try await Self.draft(db, now: now)
            let templates = ProofTemplates(db: db)
            let first = try await templates.upload(.findingsDocument, to: id, fileName: "Findings template.txt", bytes: Self.findings, by: pm, at: now)
            #expect(first.fileName == "Findings template.txt" && first.contentType == "text/plain; charset=utf-8" && first.byteSize == Self.findings.count)
            #expect(first.sha256 == DocumentStore.hash(Self.findings) && first.versionLabel == "1" && first.uploadedByName == "Robin Park")
            var requirement = try #require(try await Self.findingsRequirement(db, id, version: 1))
            #expect(requirement.templateID == first.id && requirement.templateName == "Findings template" && requirement.templateVersion == "1")
            // The same bytes under the same name: the same row, nothing new in the history.
            let again = try await templates.upload(.findingsDocument, to: id, fileName: "Findings template.txt", bytes: Self.findings, by: pm, at: now)
            let rows = try await Self.count(db, "proof_templates")
            #expect(again.id == first.id && rows == 1)
            // Saving the draft form (which knows nothing of files) keeps the file on the requirement.
            try await CatalogueConsole(db: db).saveDraft(id, EngagementDraft(name: "Cloud plans workshop", solutionAreaID: 1, role: .buildIntent,
                                                                             opensOn: DayDate(now), closesAfter: nil,
                                                                             terms: try CatalogueConsoleTests.workshopTerms(rateA: "5500").terms()),
                                                         by: pm, at: now)
            #expect(try await Self.findingsRequirement(db, id, version: 1)?.templateID == first.id)

            let second = try await templates.upload(.findingsDocument, to: id, fileName: "Findings v2.pdf", bytes: Self.pdf, by: pm, at: now)
            #expect(second.id != first.id && second.versionLabel == "2" && second.contentType == "application/pdf")
            try await templates.remove(.findingsDocument, from: id, by: pm, at: now)
            requirement = try #require(try await Self.findingsRequirement(db, id, version: 1))
            #expect(requirement.templateID == nil && requirement.templateName == nil)
            await #expect(throws: CatalogueError.invalid(field: "template", "The draft has no template file for findings / proof-of-execution document to remove.")) {
                try await templates.remove(.findingsDocument, from: id, by: pm, at: now)
            }
            try await templates.upload(.findingsDocument, to: id, fileName: "Findings template.txt", bytes: Self.findings, by: pm, at: now)
            #expect(try await Self.count(db, "proof_templates") == 2, "the first file's row comes back")

            try await CatalogueConsole(db: db).publish(id, effectiveFrom: nil, by: pm, at: now)
            await #expect(throws: CatalogueError.invalid(field: "template", "A published version keeps its templates: start a new version to change one.")) {
                try await templates.upload(.findingsDocument, to: id, fileName: "Other.pdf", bytes: Self.pdf, by: pm, at: now)
            }
            // Version 2 starts with version 1's file; a new file changes version 2 alone.
            _ = try await CatalogueConsole(db: db).startVersion(id, by: pm, at: now)
            #expect(try await Self.findingsRequirement(db, id, version: 2)?.templateID == first.id)
            let third = try await templates.upload(.findingsDocument, to: id, fileName: "Findings v3.pdf",
                                                   bytes: Self.pdf + Array("% v3\n".utf8), by: pm, at: now)
            try await CatalogueConsole(db: db).publish(id, effectiveFrom: now.adding(calendarDays: 3), by: pm, at: now)
            let engagement = try #require(try await CatalogueRepository(db: db).engagement(id))
            let proof = { (at: Date) in engagement.version(inForceAt: at).proofRequirements.first { $0.kind == .findingsDocument }?.templateID }
            #expect(proof(now) == first.id && proof(now.adding(calendarDays: 3)) == third.id)
            let kept = try #require(try await templates.content(first.id, of: id))
            #expect(kept.bytes == Self.findings && kept.file.fileName == "Findings template.txt")
            #expect(try await templates.content(first.id, of: id + 1) == nil, "a file is read only through its own engagement")
            #expect(try await templates.files([first.id, third.id]).count == 2)
            let history = try await ProgramChanges.ofEngagement(id, on: db).filter { $0.subject == .templateFile }.map(\.action)
            #expect(history == ["template_uploaded", "template_replaced", "template_removed", "template_uploaded", "template_replaced"])
        }
    }

    @Test("hostile files and names are refused about the template field, and nothing is stored", arguments: TestDatabases.flavors)
    func hostile(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: false) { db in
            let (id, pm) = try await Self.draft(db, now: now)
            let templates = ProofTemplates(db: db, rules: TemplateFileRules(maxBytes: 1_024))
            let before = (try await Self.count(db, "proof_templates"), try await Self.count(db, "program_changes"))
            let cases: [(String?, [UInt8])] = [
                ("photo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]), ("big.txt", Array(repeating: 0x41, count: 1_025)),
                ("empty.pdf", []), ("../../etc/passwd.txt", Self.findings), ("say \"hi\".txt", Self.findings), ("bell\u{7}.txt", Self.findings),
                ("evil\u{202E}fdp.txt", Self.findings), (nil, Self.findings), ("", []),
            ]
            for (name, bytes) in cases {
                do {
                    try await templates.upload(.findingsDocument, to: id, fileName: name, bytes: bytes, by: pm, at: now)
                    Issue.record("\(String(describing: name)) was stored")
                } catch let refusal as TemplateFileRefusal {
                    #expect(refusal.refusedInput == "template")
                }
            }
            // A kind the draft does not ask for, and an engagement that does not exist.
            await #expect(throws: CatalogueError.self) {
                try await templates.upload(.invoice, to: id, fileName: "Invoice.pdf", bytes: Self.pdf, by: pm, at: now)
            }
            await #expect(throws: StoreError.notFound("No engagement 987654.")) {
                try await templates.upload(.findingsDocument, to: 987_654, fileName: "Findings.pdf", bytes: Self.pdf, by: pm, at: now)
            }
            let after = (try await Self.count(db, "proof_templates"), try await Self.count(db, "program_changes"))
            #expect(after == before)
            #expect(try await Self.findingsRequirement(db, id, version: 1)?.templateID == nil)
        }
    }
}
