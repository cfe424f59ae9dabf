import Foundation
import HTTPTypes
import Synchronization

/// What the app learns about one request while answering it, for its access line and every log line written in its
/// task: its id, and who turned out to be signed in (the session middleware and the API gateway say so).
final class RequestObservation: Sendable {
    let id: String
    private let user = Mutex<Int64?>(nil)

    /// The request this task is answering, if any.
    @TaskLocal static var current: RequestObservation?

    init(id: String) { self.id = id }

    var userID: Int64? { user.withLock { $0 } }

    /// The signed-in user (or the API token's owner) of the request this task answers.
    static func signedIn(_ userID: Int64) { current?.user.withLock { $0 = userID } }
}

/// Request ids: a caller's `X-Request-Id` is kept when it is short and plain (a proxy's, so logs line up), otherwise the
/// server makes one. Either way the response carries it and every log line of the request names it.
enum RequestID {
    static let header = "X-Request-Id"
    static let field = HTTPField.Name(header)!

    /// The id sent, if it is 1 to 64 of `A-Z a-z 0-9 . _ -`; anything else is not echoed into logs or headers.
    static func accepted(_ sent: String?) -> String? {
        guard let sent, (1...64).contains(sent.utf8.count) else { return nil }
        let plain = sent.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
        }
        return plain ? sent : nil
    }

    /// A random number drawn once per process, then a counter from a random start, each half as 16 lowercase hex
    /// digits: unique within the process and, by the first half, across processes. The counter goes through a bijective
    /// mix (splitmix64's finalizer), so consecutive ids do not look consecutive. Sixteen fresh random bytes per request
    /// cost a system call each (issue 20's profile of `/health`).
    static func make() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 32) { buffer in
            func hex(_ value: UInt64, at start: Int) {
                var bits = value
                for i in 0..<16 {
                    buffer[start + i] = hexDigits[Int(bits & 0xF)]
                    bits >>= 4
                }
            }
            hex(process, at: 0)
            hex(mix(count), at: 16)
            return 32
        }
    }

    private static let process = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(UInt64.random(in: .min ... .max))
    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
