import Foundation
import IncentivesStore
@testable import IncentivesWeb
import Testing

/// The environment reference is printed from `ConfigVariable.all`, the list `AppConfig.load` reads through, so the
/// documents can only be wrong by not being regenerated, and these tests say so.
@Suite("Configuration reference")
struct ConfigReferenceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the README's and docs/deploy.md's reference blocks are the table the code prints",
          arguments: ["README.md", "docs/deploy.md"])
    func documentsAreCurrent(file: String) throws {
        let document = try String(contentsOf: Self.repository.appendingPathComponent(file), encoding: .utf8)
        let updated = try #require(ConfigReference.updating(document), "\(file) has no config-reference markers")
        #expect(updated == document,
                "\(file)'s environment reference differs from the code's: run `swift run incentives config reference --update \(file)`")
    }

    @Test("every listed variable is read: set to another value, it changes the configuration or is refused by its name")
    func everyVariableIsRead() async throws {
        let none = "/nonexistent/.env"
        let standard = String(describing: try await AppConfig.load(environment: [:], dotEnvPath: none))
        // SENDMAIL_PATH only matters once the transport is sendmail.
        let context = ["SENDMAIL_PATH": ["MAIL_TRANSPORT": "sendmail"]]
        for variable in ConfigVariable.all {
            let base = context[variable.name] ?? [:]
            let before = String(describing: try await AppConfig.load(environment: base, dotEnvPath: none))
            #expect(base.isEmpty || before != standard)
            do {
                let changed = try await AppConfig.load(environment: base.merging([variable.name: "1"]) { $1 }, dotEnvPath: none)
                #expect(String(describing: changed) != before, "\(variable.name)=1 changed nothing: is it read?")
            } catch let error as StoreError {
                #expect(String(describing: error).contains(variable.name), "\(variable.name)=1 was refused without its name: \(error)")
            }
        }
    }

    @Test("names are unique, defaults are shown, and secrets are marked")
    func tableShape() {
        let names = ConfigVariable.all.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(ConfigReference.table.split(separator: "\n").count == names.count + 2)
        #expect(ConfigVariable.all.filter(\.isSecret).map(\.name).sorted() == ["DATABASE_URL", "METRICS_TOKEN", "SECRET_KEY"])
        #expect(ConfigReference.table.contains("| `PORT` | `8080` |"))
        #expect(ConfigReference.table.contains("| `METRICS_ADDRESS` | unset |"))
    }

    @Test("updating replaces only what lies between the markers, and a document without them is refused")
    func updatingKeepsTheRest() throws {
        let document = "# Title\n\nBefore.\n\(ConfigReference.startMarker)\nstale\n\(ConfigReference.endMarker)\nAfter.\n"
        let updated = try #require(ConfigReference.updating(document))
        #expect(updated == "# Title\n\nBefore.\n\(ConfigReference.startMarker)\n\(ConfigReference.table)\(ConfigReference.endMarker)\nAfter.\n")
        #expect(ConfigReference.updating(updated) == updated)
        #expect(ConfigReference.updating("no markers") == nil)
    }
}
