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
import Synchronization
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
                    // On a loaded machine the server may already have closed the idle connection before this write:
                    // the write then fails, and the connection is closed, which is what the test asks.
                    if trickle { try? await channel.writeAndFlush(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: x\r\n")) }
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

@Suite("bcrypt's turn")
struct AsyncSemaphoreTests {
    @Test("no more tasks run inside than there are permits, and every one gets its turn")
    func permits() async throws {
        let semaphore = AsyncSemaphore(permits: 2)
        final class Inside: Sendable { let counts = Mutex((now: 0, most: 0, done: 0)) }
        let inside = Inside()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    await semaphore.withPermit {
                        inside.counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try? await Task.sleep(for: .milliseconds(10))
                        inside.counts.withLock { $0.now -= 1; $0.done += 1 }
                    }
                }
            }
        }
        let counts = inside.counts.withLock { $0 }
        #expect(counts.most == 2 && counts.done == 16)
    }
}
