import Foundation
import IncentivesDomain
import SQLKit
import Yams

/// The proof template files of the catalogue file: every file an engagement holds, in upload order, its bytes in base64,
/// and the version's proof requirements naming theirs by `template_file: t1`.
extension CatalogueFile {
    private struct TemplateRow: Decodable {
        var id: Int64, kind: String, fileName: String, uploadedByName: String, uploadedAt: Date, content: Data
    }

    /// The engagement's files, named `t1`, `t2`… in upload order, and the name of each by its database id.
    static func templateFiles(of engagementID: Int64, on sql: any SQLDatabase) async throws
        -> (files: [CatalogueDocument.TemplateFile], refs: [Int64: String]) {
        var files: [CatalogueDocument.TemplateFile] = [], refs: [Int64: String] = [:]
        for row in try await sql.raw("""
            SELECT id, kind, file_name, uploaded_by_name, uploaded_at, content FROM proof_templates
            WHERE engagement_id = \(bind: engagementID) ORDER BY id
            """).all(decoding: TemplateRow.self, with: .snakeCase) {
            guard let kind = ProofRequirement.Kind(rawValue: row.kind) else { throw StoreError.corrupt("Template \(row.id) has kind \(row.kind).") }
            let ref = "t\(files.count + 1)"
            refs[row.id] = ref
            files.append(.init(ref: ref, kind: kind, fileName: row.fileName, uploadedBy: row.uploadedByName, uploadedAt: row.uploadedAt,
                               bytes: Array(row.content)))
        }
        return (files, refs)
    }

    /// A version as the file holds it: its requirements' files by name in the file, not by id.
    static func versionEntry(_ v: ConsoleVersion, isDraft: Bool, refs: [Int64: String]) -> CatalogueDocument.VersionEntry {
        var terms = v.terms, named: [ProofRequirement.Kind: String] = [:]
        for index in terms.proofRequirements.indices {
            if let id = terms.proofRequirements[index].templateID { named[terms.proofRequirements[index].kind] = refs[id] }
            terms.proofRequirements[index].templateID = nil
        }
        return .init(number: v.number, isDraft: isDraft, effectiveFrom: v.effectiveFrom, publishedAt: v.publishedAt, publishedBy: v.publishedBy,
                     terms: terms, templateRefs: named)
    }

    static func templateNode(_ t: CatalogueDocument.TemplateFile) -> Node {
        // Base64 in lines of 76, as MIME writes it: the same bytes give the same lines.
        let base64 = Data(t.bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
        return map([("ref", text(t.ref)), ("kind", Node(t.kind.rawValue)), ("file_name", text(t.fileName)),
                    ("sha256", Node(DocumentStore.hash(t.bytes))), ("uploaded_by", text(t.uploadedBy)), ("uploaded_at", Node(instant(t.uploadedAt))),
                    ("content", Node(base64, .implicit, .literal))])
    }

    /// Keeps the engagement's files as an upload does (the same rules, one row per bytes and name, labels in order); returns
    /// each file's id by its name in the file.
    static func applyTemplates(_ files: [CatalogueDocument.TemplateFile], engagementID: Int64, on sql: any SQLDatabase) async throws
        -> [String: Int64] {
        var ids: [String: Int64] = [:]
        for file in files {
            let checked = try TemplateFileRules().check(fileName: file.fileName, bytes: file.bytes)
            ids[file.ref] = try await ProofTemplates.keep(file.kind, checked, bytes: file.bytes, engagementID: engagementID, byUserID: nil,
                                                          name: file.uploadedBy, at: file.uploadedAt, on: sql).id
        }
        return ids
    }

    /// The terms of a version with each requirement's file id in this database.
    static func terms(of v: CatalogueDocument.VersionEntry, files ids: [String: Int64]) -> EngagementTerms {
        var terms = v.terms
        for index in terms.proofRequirements.indices {
            terms.proofRequirements[index].templateID = v.templateRefs[terms.proofRequirements[index].kind].flatMap { ids[$0] }
        }
        return terms
    }
}

extension Reader {
    /// An engagement's `template_files`: each file's bytes checked against its `sha256` and by the upload's rules.
    mutating func templateFiles(_ m: Node.Mapping) -> [CatalogueDocument.TemplateFile] {
        var refs = Set<String>()
        return sequence(m["template_files"], "template_files").compactMap { node -> CatalogueDocument.TemplateFile? in
            guard let t = mapping(node, "A template file") else { return nil }
            let ref = string(t, "ref", required: true), kind = choice(t, "kind", ProofRequirement.Kind.self)
            let name = string(t, "file_name", required: true), hash = string(t, "sha256", required: true)
            let by = string(t, "uploaded_by", required: true), at = instant(t, "uploaded_at", required: true)
            let content = string(t, "content", required: true)
            guard let ref, let kind, let name, let hash, let by, let at, let content else { return nil }
            if !refs.insert(ref).inserted { problem(node, "Template file \(ref) is listed twice.") }
            guard let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                problem(t["content"]!, "`content` is not base64."); return nil
            }
            let bytes = Array(data)
            if DocumentStore.hash(bytes) != hash.lowercased() {
                problem(t["content"]!, "The content of \(ref) does not match its sha256: the file was cut or changed.")
            }
            if let refused = check({ _ = try TemplateFileRules().check(fileName: name, bytes: bytes) }) { problem(t["file_name"]!, refused) }
            return .init(ref: ref, kind: kind, fileName: name, uploadedBy: by, uploadedAt: at, bytes: bytes)
        }
    }

    /// The `template_file` each proof requirement of a version names.
    mutating func templateRefs(_ m: Node.Mapping) -> [ProofRequirement.Kind: String] {
        var refs: [ProofRequirement.Kind: String] = [:]
        for node in sequence(m["proof"], "proof") {
            guard case .mapping(let p) = node, let kind = p["kind"]?.string.flatMap(ProofRequirement.Kind.init(rawValue:)),
                  let ref = string(p, "template_file") else { continue }
            refs[kind] = ref
        }
        return refs
    }

    /// Each version's files are the engagement's, of the requirement's kind.
    mutating func checkTemplateRefs(_ versions: [CatalogueDocument.VersionEntry], files: [CatalogueDocument.TemplateFile], of name: String,
                                    at node: Node) {
        let byRef = Dictionary(files.map { ($0.ref, $0.kind) }, uniquingKeysWith: { first, _ in first })
        for v in versions {
            for (kind, ref) in v.templateRefs.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                if byRef[ref] == nil { problem(node, "Version \(v.number) of \(name) names template file \(ref), which the engagement does not list.") }
                else if byRef[ref] != kind { problem(node, "Template file \(ref) of \(name) is not a \(kind.label.lowercased()) template.") }
                if !v.terms.proofRequirements.contains(where: { $0.kind == kind }) {
                    problem(node, "Version \(v.number) of \(name) has a template file for \(kind.label.lowercased()), which it does not ask for.")
                }
            }
        }
    }
}
