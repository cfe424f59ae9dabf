import Foundation
import IncentivesDomain
import SQLKit

extension CatalogueConsole {
    /// Changes the program's name and who partners contact, by the rules that created it.
    public func editProgram(name: String, managerName: String, managerEmail: String, by viewer: Viewer, at now: Date) async throws {
        let (name, manager, email) = try Self.checkedProgram(name: name, managerName: managerName, managerEmail: managerEmail)
        try await db.write(changesClaims: false) { sql in
            guard let id = try await sql.raw("SELECT MIN(id) AS id FROM programs").first(decodingColumn: "id", as: Int64?.self) ?? nil,
                  let old = try await CatalogueRepository.program(id, on: sql) else {
                throw StoreError.notFound("There is no program yet: create it first.")
            }
            try await sql.raw("""
                UPDATE programs SET name = \(bind: name), manager_name = \(bind: manager), manager_email = \(bind: email) WHERE id = \(bind: id)
                """).run()
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .program, subjectID: id, action: "changed",
                                                          detail: "\(old.name) → \(name); contact \(old.managerName) <\(old.managerEmail)> → "
                                                              + "\(manager) <\(email)>"), on: sql)
        }
    }
}
