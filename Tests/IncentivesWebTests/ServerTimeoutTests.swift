import Foundation
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Logging
import NIOCore
import NIOPosix
import Testing

@Suite("The HTTP server's own limits")
struct ServerTimeoutTests {
    @Test("a connection that sends nothing (or trickles a request) is closed after the idle timeout")
    func idleConnectionClosed() async throws {
        try await TestDatabases.with(.sqlite) { db in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-idle-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let config = AppConfig(mailTransport: .mailDrop(directory: folder + "/mail"), uploadDirectory: folder,
                                   httpIdleTimeout: .seconds(1))
            let deps = try await AppDependencies(config: config, db: db, clock: FixedClock(TestDatabases.now))
            let app = buildApplication(deps, logger: Logger(label: "idle-test"))
            try await app.test(.live) { client in
                let port = try #require(client.port)
                for trickle in [false, true] {
                    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                        .connect(host: "127.0.0.1", port: port).get()
                    if trickle { try await channel.writeAndFlush(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: x\r\n")) }
                    // Closed by the server well within the bound; without a timeout it never is.
                    let deadline = ContinuousClock.now + .seconds(15)
                    while channel.isActive && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
                    let closed = !channel.isActive
                    if !closed { try? await channel.close() }
                    #expect(closed, "trickle: \(trickle)")
                }
                #expect(AppConfig().httpIdleTimeout == .seconds(60))
            }
        }
    }
}
