import Foundation
import IncentivesDomain
import SQLKit

/// A proof template file as kept in `proof_templates` (migration 22), without its bytes.
public struct ProofTemplateFile: Sendable, Hashable {
    public var id: Int64
    public var engagementID: Int64
    public var kind: ProofRequirement.Kind
    public var fileName: String
    public var contentType: String
    public var byteSize: Int
    public var sha256: String
    /// "1", "2", …: the how-manieth file of this engagement's kind, what the requirement's `templateVersion` says.
    public var versionLabel: String
    public var uploadedByName: String
    public var uploadedAt: Date
}

/// The template files the vendor uploads (issue 17). A file goes onto the engagement's draft version only: a published
/// version keeps the file it was published with (its requirement names the row, and rows never change), so a new file
/// reaches partners with a new version. Each upload or removal is one transaction with its `ProgramChange`; the same
/// bytes under the same name uploaded again reuse their row.
public struct ProofTemplates: Sendable {
    public let db: Database
    public let rules: TemplateFileRules

    public init(db: Database, rules: TemplateFileRules = TemplateFileRules()) { self.db = db; self.rules = rules }

    /// Puts the file onto the draft version's requirement of `kind`; returns the file as kept.
    @discardableResult
    public func upload(_ kind: ProofRequirement.Kind, to engagementID: Int64, fileName: String?, bytes: [UInt8], tooLarge: Bool = false,
                       by viewer: Viewer, at now: Date) async throws -> ProofTemplateFile {
        let checked = try rules.check(fileName: fileName, bytes: bytes, tooLarge: tooLarge)
        return try await db.write(changesClaims: false) { sql in
            let (number, stored) = try await Self.draftRequirements(engagementID, locking: db.flavor == .postgres, on: sql)
            var requirements = stored
            guard let index = requirements.firstIndex(where: { $0.kind == kind }) else {
                throw CatalogueError.invalid(field: "template", "The draft asks for no \(kind.label.lowercased()): "
                                             + "tick it on the draft, save, then upload its template.")
            }
            let kept = try await Self.keep(kind, checked, bytes: bytes, engagementID: engagementID, byUserID: viewer.userID, name: viewer.name,
                                           at: now, on: sql)
            if requirements[index].templateID == kept.id { return kept }
            let replaced = requirements[index].templateID != nil
            requirements[index].templateID = kept.id
            requirements[index].templateName = Self.stem(kept.fileName)
            requirements[index].templateVersion = kept.versionLabel
            try await Self.save(requirements, engagementID: engagementID, number: number, on: sql)
            let detail = "\(kind.label), version \(number): \(kept.fileName) (\(kept.byteSize) bytes)"
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .templateFile, subjectID: kept.id,
                                                          action: replaced ? "template_replaced" : "template_uploaded", engagementID: engagementID,
                                                          detail: detail), on: sql)
            return kept
        }
    }

    /// Takes the template file off the draft version's requirement of `kind` (the file stays for the versions published with it).
    public func remove(_ kind: ProofRequirement.Kind, from engagementID: Int64, by viewer: Viewer, at now: Date) async throws {
        try await db.write(changesClaims: false) { sql in
            let (number, stored) = try await Self.draftRequirements(engagementID, locking: db.flavor == .postgres, on: sql)
            var requirements = stored
            guard let index = requirements.firstIndex(where: { $0.kind == kind }), let id = requirements[index].templateID else {
                throw CatalogueError.invalid(field: "template", "The draft has no template file for \(kind.label.lowercased()) to remove.")
            }
            let name = try await Self.file(where: "id = \(bind: id)", on: sql).first?.fileName ?? "the file"
            requirements[index].templateID = nil
            requirements[index].templateName = nil
            requirements[index].templateVersion = nil
            try await Self.save(requirements, engagementID: engagementID, number: number, on: sql)
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .templateFile, subjectID: id, action: "template_removed",
                                                          engagementID: engagementID, detail: "\(kind.label), version \(number): \(name)"), on: sql)
        }
    }

    /// The files (without their bytes) by id, for the pages that list them.
    public func files(_ ids: [Int64]) async throws -> [Int64: ProofTemplateFile] {
        guard !ids.isEmpty else { return [:] }
        return try await db.read { sql in
            // Ids are numbers: written out, never text from outside.
            let list = Set(ids).sorted().map(String.init).joined(separator: ",")
            let files = try await Self.file(where: "id IN (\(unsafeRaw: list))", on: sql)
            return Dictionary(uniqueKeysWithValues: files.map { ($0.id, $0) })
        }
    }

    /// One file with its bytes, if it belongs to the engagement. The caller has decided the engagement is the viewer's to see.
    public func content(_ id: Int64, of engagementID: Int64) async throws -> (file: ProofTemplateFile, bytes: [UInt8])? {
        try await db.read { sql in
            guard let file = try await Self.file(where: "id = \(bind: id) AND engagement_id = \(bind: engagementID)", on: sql).first,
                  let data = try await sql.raw("SELECT content FROM proof_templates WHERE id = \(bind: id)")
                    .first(decodingColumn: "content", as: Data.self)
            else { return nil }
            return (file, [UInt8](data))
        }
    }

    // MARK: Pieces

    /// The row of a checked file: the one of the same bytes under the same name on the engagement's kind, or a new one,
    /// labelled with the next version. The demo seeder keeps its files through this too.
    static func keep(_ kind: ProofRequirement.Kind, _ checked: CheckedTemplateFile, bytes: [UInt8], engagementID: Int64, byUserID: Int64?,
                     name: String, at now: Date, on sql: any SQLDatabase) async throws -> ProofTemplateFile {
        let hash = DocumentStore.hash(bytes)
        if let same = try await file(where: """
            engagement_id = \(bind: engagementID) AND kind = \(bind: kind.rawValue) AND sha256 = \(bind: hash)
              AND file_name = \(bind: checked.fileName)
            """, on: sql).first { return same }
        let count = try await sql.raw("""
            SELECT COUNT(*) AS n FROM proof_templates WHERE engagement_id = \(bind: engagementID) AND kind = \(bind: kind.rawValue)
            """).first(decodingColumn: "n", as: Int.self) ?? 0
        let id = try await sql.raw("""
            INSERT INTO proof_templates (engagement_id, kind, file_name, content_type, byte_size, sha256, content, version_label,
                                         uploaded_by, uploaded_by_name, uploaded_at)
            VALUES (\(bind: engagementID), \(bind: kind.rawValue), \(bind: checked.fileName), \(bind: checked.format.mediaType),
                    \(bind: bytes.count), \(bind: hash), \(bind: Data(bytes)), \(bind: String(count + 1)), \(bind: byUserID),
                    \(bind: name), \(bind: now))
            RETURNING id
            """).first(decodingColumn: "id", as: Int64.self) ?? 0
        guard let inserted = try await file(where: "id = \(bind: id)", on: sql).first else {
            throw StoreError.corrupt("Template \(id) was not kept.")
        }
        return inserted
    }

    /// The draft version's number and proof requirements; a refusal when the engagement has no draft.
    /// `locking` (PostgreSQL) holds the draft's row until the transaction ends, so two uploads never overwrite each other's pointer.
    static func draftRequirements(_ engagementID: Int64, locking: Bool = false, on sql: any SQLDatabase) async throws -> (Int, [ProofRequirement]) {
        _ = try await CatalogueConsole.head(engagementID, on: sql)
        let lock: SQLQueryString = locking ? " FOR UPDATE" : ""
        guard let row = try await sql.raw("""
            SELECT number, proof_requirements FROM engagement_versions WHERE engagement_id = \(bind: engagementID) AND state = 'draft'\(lock)
            """).first() else {
            throw CatalogueError.invalid(field: "template", "A published version keeps its templates: start a new version to change one.")
        }
        let text = try row.decode(column: "proof_requirements", as: String.self)
        return (try row.decode(column: "number", as: Int.self), try JSONDecoder().decode([ProofRequirement].self, from: Data(text.utf8)))
    }

    static func save(_ requirements: [ProofRequirement], engagementID: Int64, number: Int, on sql: any SQLDatabase) async throws {
        let json = JSONEncoder()
        json.outputFormatting = .sortedKeys
        let text = String(decoding: try json.encode(requirements), as: UTF8.self)
        try await sql.raw("""
            UPDATE engagement_versions SET proof_requirements = \(bind: text)
            WHERE engagement_id = \(bind: engagementID) AND number = \(bind: number) AND state = 'draft'
            """).run()
    }

    /// `requirements` with the template (file, or name and version) each had in `previous`, where it names none itself.
    static func keepingTemplates(_ requirements: [ProofRequirement], of previous: [ProofRequirement]) -> [ProofRequirement] {
        requirements.map { requirement in
            guard requirement.templateID == nil, requirement.templateName == nil,
                  let old = previous.first(where: { $0.kind == requirement.kind }) else { return requirement }
            var kept = requirement
            kept.templateID = old.templateID; kept.templateName = old.templateName; kept.templateVersion = old.templateVersion
            return kept
        }
    }

    /// The name without its extension: the requirement's `templateName`, as older readers show it.
    static func stem(_ fileName: String) -> String {
        fileName.lastIndex(of: ".").map { String(fileName[..<$0]) } ?? fileName
    }

    private struct Row: Decodable {
        var id: Int64
        var engagementId: Int64
        var kind: String
        var fileName: String
        var contentType: String
        var byteSize: Int64
        var sha256: String
        var versionLabel: String
        var uploadedByName: String
        var uploadedAt: Date
    }

    static func file(where condition: SQLQueryString, on sql: any SQLDatabase) async throws -> [ProofTemplateFile] {
        var query: SQLQueryString = """
            SELECT id, engagement_id, kind, file_name, content_type, byte_size, sha256, version_label, uploaded_by_name, uploaded_at
            FROM proof_templates WHERE
            """
        query.appendLiteral(" ")
        query.appendInterpolation(condition)
        query.appendLiteral(" ORDER BY id")
        return try await sql.raw(query).all(decoding: Row.self, with: .snakeCase).map { row in
            guard let kind = ProofRequirement.Kind(rawValue: row.kind) else { throw StoreError.corrupt("Template \(row.id) has an unknown kind.") }
            return ProofTemplateFile(id: row.id, engagementID: row.engagementId, kind: kind, fileName: row.fileName, contentType: row.contentType,
                                     byteSize: Int(row.byteSize), sha256: row.sha256, versionLabel: row.versionLabel,
                                     uploadedByName: row.uploadedByName, uploadedAt: row.uploadedAt)
        }
    }
}
