import Configuration
import Foundation
import IncentivesStore

/// The app's settings, read once: environment variables, then a `.env` file, then defaults.
public struct AppConfig: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    /// How often the deadline sweeper runs inside `serve`.
    public var sweepInterval: Duration
    /// Demo mode: seeds the demo program and shows the demo sign-ins.
    public var demo: Bool

    public static let defaultDatabase = "sqlite:./data/incentives.sqlite"

    public init(host: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .sqlite(path: "./data/incentives.sqlite"),
                sweepInterval: Duration = .seconds(60), demo: Bool = false) {
        self.host = host; self.port = port; self.database = database; self.sweepInterval = sweepInterval; self.demo = demo
    }

    /// Reads `DATABASE_URL`, `HOST`, `PORT`, `SWEEP_INTERVAL_SECONDS` (and `DEMO`), the environment
    /// winning over `.env`.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment,
                            dotEnvPath: String = ".env") async throws -> AppConfig {
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: environment)]
        if FileManager.default.fileExists(atPath: dotEnvPath) {
            providers.append(try await EnvironmentVariablesProvider(environmentFilePath: .init(dotEnvPath)))
        }
        let reader = ConfigReader(providers: providers)
        let url = reader.string(forKey: "database.url", isSecret: true, default: defaultDatabase)
        let port = reader.string(forKey: "port", default: "8080")
        guard let portNumber = Int(port), (1...65_535).contains(portNumber) else {
            throw StoreError.badConfiguration("PORT must be a number from 1 to 65535, not '\(port)'.")
        }
        let sweep = reader.string(forKey: "sweep.interval.seconds", default: "60")
        guard let seconds = Int(sweep), seconds > 0 else {
            throw StoreError.badConfiguration("SWEEP_INTERVAL_SECONDS must be a whole number of seconds above 0, not '\(sweep)'.")
        }
        return AppConfig(host: reader.string(forKey: "host", default: "127.0.0.1"), port: portNumber,
                         database: try DatabaseLocation(parsing: url), sweepInterval: .seconds(seconds),
                         demo: ["1", "true", "yes"].contains(reader.string(forKey: "demo", default: "false").lowercased()))
    }
}
