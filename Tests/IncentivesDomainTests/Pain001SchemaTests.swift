import Foundation
import IncentivesDomain
import Testing

/// Validates written bank files against the standard's own XSD (pain.001.001.09, shipped in the sepaxml package) with
/// lxml, both installed into .venv from e2e/requirements.txt. Without that venv the test is skipped, except in CI.
@Suite("pain.001 files against the ISO 20022 schema")
struct Pain001SchemaTests {
    typealias F = PaymentFixture

    /// `.venv/bin/python3` of the repository, when it has lxml and sepaxml.
    static let python: String? = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(".venv/bin/python3").path
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return (try? run(candidate, ["-c", "import lxml.etree, sepaxml"]))?.status == 0 ? candidate : nil
            }
            dir.deleteLastPathComponent()
        }
        return nil
    }()

    static var required: Bool {
        ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" } ?? false
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Each file's name and `ok` or lxml's first error, one per line.
    static let script = #"""
        import sys, importlib.resources
        from lxml import etree
        xsd = importlib.resources.files("sepaxml") / "schemas" / "pain.001.001.09.xsd"
        schema = etree.XMLSchema(etree.parse(str(xsd)))
        for path in sys.argv[1:]:
            doc = etree.parse(path)
            ok = schema.validate(doc)
            print(path.rsplit("/", 1)[-1], "ok" if ok else "invalid: " + str(schema.error_log.last_error))
        """#

    func validate(_ documents: [String: String]) throws -> [String: String] {
        let python = try #require(Self.python)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pain001-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.script.utf8).write(to: dir.appendingPathComponent("validate.py"))
        var paths: [String] = []
        for (name, xml) in documents.sorted(by: { $0.key < $1.key }) {
            let file = dir.appendingPathComponent(name)
            try Data(xml.utf8).write(to: file)
            paths.append(file.path)
        }
        let result = try Self.run(python, [dir.appendingPathComponent("validate.py").path] + paths)
        #expect(result.status == 0, "\(result.output)")
        var verdicts: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { verdicts[String(parts[0])] = String(parts[1]) }
        }
        return verdicts
    }

    @Test("CI has the validator: it never skips the schema check without a word")
    func validatorPresentInCI() {
        if Self.required { #expect(Self.python != nil, "CI is set but .venv lacks lxml/sepaxml: install e2e/requirements.txt into .venv") }
    }

    @Test("SEPA euros, US dollars with ABA routing, yen, escaped and non-Latin names: every file is valid; a swapped one is not",
          .enabled(if: Pain001SchemaTests.python != nil || Pain001SchemaTests.required))
    func schemaValid() throws {
        let name = "Tom & Jerry <Ltd> \"quoted\" 'x' — Müller 東京"
        let euros = F.batch([F.transfer(1, 1), F.transfer(2, 10, name: name, remittance: "a<b & c>d"), F.transfer(3, 100_000_000)])
        let dollars = F.batch([F.american(1, 12_345), F.american(2, 1)], currency: .usd, messageID: "PR-000007-USD")
        let yen = F.batch([F.american(1, 1_234_567, Currency("JPY"))], currency: Currency("JPY"), messageID: "PR-000007-JPY")
        let mixed = F.batch([F.transfer(1, 100, remittance: ""), F.american(2, 100, .eur)])
        let many = F.batch((1...500).map { F.transfer($0, 10) })
        let valid = try ["eur.xml": euros, "usd.xml": dollars, "jpy.xml": yen, "mixed.xml": mixed, "many.xml": many]
            .mapValues { try Pain001.document($0) }
        // The same file with the creditor before its agent: lxml must refuse it, or it proves nothing.
        let good = try Pain001.document(dollars)
        let agent = try #require(good.range(of: "<CdtrAgt>")?.lowerBound)
        let creditor = try #require(good.range(of: "<Cdtr>")?.lowerBound), account = try #require(good.range(of: "<CdtrAcct>")?.lowerBound)
        let swapped = String(good[..<agent]) + String(good[creditor..<account]) + String(good[agent..<creditor]) + String(good[account...])
        let verdicts = try validate(valid.merging(["swapped.xml": swapped]) { a, _ in a })
        for file in valid.keys { #expect(verdicts[file] == "ok", "\(file): \(verdicts[file] ?? "not validated")") }
        #expect(verdicts["swapped.xml"]?.hasPrefix("invalid") == true, "\(verdicts["swapped.xml"] ?? "not validated")")
    }
}
