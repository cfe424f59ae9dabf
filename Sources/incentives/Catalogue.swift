import ArgumentParser
import Foundation
import IncentivesDomain
import IncentivesStore
import IncentivesWeb

/// `incentives catalogue`: the whole catalogue as one YAML file, to keep in version control, review, and load into a
/// new instance.
struct Catalogue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export the catalogue to a YAML file, or import one into an empty database.",
        subcommands: [CatalogueExport.self, CatalogueImport.self])
}

struct CatalogueExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write the program, its solution areas and every engagement with all its versions as YAML.",
        discussion: "The same catalogue gives the same bytes: export, import into an empty database and export again gives the same file.")

    @Option(help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        let config = try await AppConfig.load()
        let text = try await Runtime.withDatabase(config) { db in try CatalogueFile.yaml(try await CatalogueFile.document(of: db)) }
        if let output {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
                throw CLIError("Could not write \(output): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
    }
}

struct CatalogueImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Read a catalogue file and write it into a database whose catalogue is empty, in one transaction.",
        discussion: "The whole file is checked first; every problem is printed with its line, and nothing is written unless it is all right.")

    @Argument(help: "The YAML file, as `incentives catalogue export` writes it.") var file: String
    @Option(help: "The instant the import is recorded at (ISO 8601); now by default.") var now: String?
    @OptionGroup var progress: ProgressOptions

    func run() async throws {
        let at = try now.map(Runtime.parseInstant) ?? SystemClock().now
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw CLIError("Could not read \(file): it is missing, unreadable or not UTF-8 text.")
        }
        let document = try CatalogueFile.read(text)
        let config = try await AppConfig.load()
        let reporter = progress.reporter(.items("partners and engagements"), total: CatalogueFile.steps(in: document))
        try await Runtime.withDatabase(config) { db in
            try await CatalogueFile.apply(document, actor: "incentives catalogue import", at: at, to: db) { reporter.update($0) }
        }
        reporter.finish()
        let versions = document.engagements.map(\.versions.count).reduce(0, +)
        let locations = document.partners.map(\.locations.count).reduce(0, +)
        let listed = document.engagements.map { $0.eligibility.filter { $0.listedAt != nil }.count }.reduce(0, +)
        print("Imported \(document.program?.name ?? "no program"): \(document.areas.count) solution areas, "
              + "\(document.engagements.count) engagements, \(versions) versions, \(document.partners.count) partners, "
              + "\(locations) locations, \(listed) list entries.")
    }
}
