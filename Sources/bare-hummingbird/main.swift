import Hummingbird

// The yardstick for `/health` in scripts/bench/all.sh (issue 20: the app's `/health` within 10% of a bare
// Hummingbird app): the same framework and the same answer, with nothing else on the path.
// Usage: bare-hummingbird PORT (binds 127.0.0.1).
let port = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 8081
let router = Router()
router.get("health") { _, _ in "ok" }
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
