import ArgumentParser
import Foundation
import IncentivesWeb

/// `incentives config`: the settings the app reads.
struct Config: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The environment variables the app reads.", subcommands: [PrintConfigReference.self])
}

/// `incentives config reference`: the reference table, printed from the code that reads the settings, so the README and
/// docs/deploy.md can't drift from it (a test compares them).
struct PrintConfigReference: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference", abstract: "Print every environment variable, its default and its meaning, as a Markdown table.",
        discussion: "With --update, rewrite the table between the <!-- config-reference:start --> and <!-- config-reference:end --> "
            + "markers of each file instead (README.md and docs/deploy.md hold one).")

    @Option(name: .customLong("update"), parsing: .upToNextOption, help: "Markdown files whose reference block to rewrite.")
    var files: [String] = []

    func run() async throws {
        guard !files.isEmpty else { print(ConfigReference.table, terminator: ""); return }
        for file in files {
            let document = try String(contentsOfFile: file, encoding: .utf8)
            guard let updated = ConfigReference.updating(document) else {
                throw CLIError("\(file) has no \(ConfigReference.startMarker) … \(ConfigReference.endMarker) block.")
            }
            if updated != document { try updated.write(toFile: file, atomically: true, encoding: .utf8) }
            print("\(file): \(updated == document ? "already current" : "updated")")
        }
    }
}
