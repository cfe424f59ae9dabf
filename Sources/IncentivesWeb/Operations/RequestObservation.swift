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

    /// 16 random bytes as 32 lowercase hex digits.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { buffer in
            for half in 0..<2 {
                var bits = generator.next() as UInt64
                for i in 0..<16 {
                    buffer[half * 16 + i] = digits[Int(bits & 0xF)]
                    bits >>= 4
                }
            }
            return 32
        }
    }
}
