import Foundation
@testable import IncentivesWeb
import OpenAPIRuntime
import Synchronization
import Testing

/// An API export reads the database as fast as the client takes the file, not faster: a slow or stalled client must not
/// make the server hold the rest of the file (a million claims are some 280 MB of CSV).
@Suite("API exports: a slow client slows the export down, and one that leaves stops it")
struct ExportBytesTests {
    @Test("the writer waits while the client has not taken what it sent, and every byte arrives in order")
    func backpressure() async throws {
        let sent = Mutex(0)
        let body = ExportBytes.body { send in
            for i in 0..<1_000 {
                try await send([UInt8](repeating: UInt8(i % 256), count: 1_000))
                sent.withLock { $0 += 1 }
            }
        }
        var iterator = body.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        try await Task.sleep(for: .milliseconds(300))
        let ahead = sent.withLock { $0 }
        #expect(ahead <= 2, "the writer ran \(ahead) chunks ahead of a client that took one")
        var bytes = Array(first)
        while let chunk = try await iterator.next() { bytes += chunk }
        #expect(bytes.count == 1_000_000 && sent.withLock { $0 } == 1_000)
        #expect((0..<1_000).allSatisfy { bytes[$0 * 1_000] == UInt8($0 % 256) })
    }

    @Test("a client that goes away stops the writer")
    func clientGone() async throws {
        let sent = Mutex(0)
        var body: HTTPBody? = ExportBytes.body { send in
            while true {
                // As the database reads of a real export do.
                try Task.checkCancellation()
                try await send([1, 2, 3])
                sent.withLock { $0 += 1 }
            }
        }
        do {
            var iterator = try #require(body).makeAsyncIterator()
            _ = try await iterator.next()
        }
        body = nil
        try await Task.sleep(for: .milliseconds(300))
        let settled = sent.withLock { $0 }
        try await Task.sleep(for: .milliseconds(300))
        #expect(sent.withLock { $0 } == settled, "the writer went on after the client left")
    }
}
