import Foundation

/// What the environment promises a test run: in CI, checks that would otherwise drop out quietly must run.
public enum TestEnvironment {
    /// Whether `CI` is set to something other than empty, `0` or `false` (scripts/test.sh exports `CI=1`).
    public static func isCI(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        environment["CI"].map { !$0.isEmpty && $0 != "0" && $0.lowercased() != "false" } ?? false
    }
}
