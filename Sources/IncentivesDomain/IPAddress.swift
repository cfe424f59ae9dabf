import Foundation

/// An IP address as the bytes a connection goes to: 4 for IPv4, 16 for IPv6. Address rules look at these bytes and
/// never at the text, because one address has many spellings (`::1`, `0:0:0:0:0:0:0:1`, `2130706433`, `0x7f.1`).
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The standard text of an address: IPv4 as four decimal numbers 0-255 without leading zeros, IPv6 in any form
    /// of RFC 4291 (leading zeros, one `::`, an IPv4 tail). Nil for anything else: brackets, zone ids (`%eth0`), and
    /// the other IPv4 notations (see `inetAton`).
    public init?(_ text: String) {
        guard let bytes = text.contains(":") ? Self.ipv6(text) : Self.dottedQuad(Substring(text)) else { return nil }
        self.bytes = bytes
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// What a C resolver (`inet_aton`, and `getaddrinfo` through it) reads from numbers and dots: `a.b.c.d`, `a.b.c`
    /// (c fills 16 bits), `a.b` (b fills 24 bits) or `a` (32 bits), each part decimal, octal after a leading `0`, or
    /// hex after `0x`. Nil when the text is not such a notation.
    public static func inetAton(_ text: String) -> IPAddress? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = atonNumber(part) else { return nil }
            values.append(value)
        }
        guard values.dropLast().allSatisfy({ $0 <= 255 }), let last = values.last, last < UInt64(1) << (8 * (5 - values.count)) else {
            return nil
        }
        var value = last
        for (i, byte) in values.dropLast().enumerated() { value |= byte << (24 - 8 * i) }
        return IPAddress(bytes: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) })
    }

    /// One part of an `inet_aton` notation; `0x` alone is 0, as the C parser reads it.
    private static func atonNumber(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.utf8.count <= 40, part.allSatisfy(\.isASCII) else { return nil }
        let lower = part.lowercased()
        if lower.hasPrefix("0x") {
            let digits = lower.dropFirst(2)
            guard digits.allSatisfy(\.isHexDigit) else { return nil }
            return digits.isEmpty ? 0 : UInt64(digits, radix: 16)
        }
        guard lower.allSatisfy(\.isNumber) else { return nil }
        return lower.count > 1 && lower.hasPrefix("0") ? UInt64(lower.dropFirst(), radix: 8) : UInt64(lower, radix: 10)
    }

    private static func dottedQuad(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { part -> UInt8? in
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  !(part.count > 1 && part.hasPrefix("0")) else { return nil }
            return UInt8(part)
        }
        return bytes.count == 4 ? bytes : nil
    }

    private static func ipv6(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII }) else { return nil }
        /// The 16-bit groups of one side of `::`; only the last side may end in an IPv4 address.
        func groups(_ side: Substring, ipv4Tail: Bool) -> [UInt16]? {
            if side.isEmpty { return [] }
            let parts = side.split(separator: ":", omittingEmptySubsequences: false)
            var groups: [UInt16] = []
            for (i, part) in parts.enumerated() {
                if ipv4Tail, i == parts.count - 1, part.contains(".") {
                    guard let v4 = dottedQuad(part) else { return nil }
                    groups += [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                } else {
                    guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit), let group = UInt16(part, radix: 16) else { return nil }
                    groups.append(group)
                }
            }
            return groups
        }
        let sides = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        let all: [UInt16]
        switch sides.count {
        case 1:
            guard let whole = groups(sides[0], ipv4Tail: true), whole.count == 8 else { return nil }
            all = whole
        case 2:
            guard let head = groups(sides[0], ipv4Tail: false), let tail = groups(sides[1], ipv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default: return nil
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    /// Dotted decimal, or IPv6 as RFC 5952 writes it (lower case, the longest run of zero groups as `::`).
    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, length: 0), i = 0
        while i < 8 {
            guard groups[i] == 0 else { i += 1; continue }
            var end = i
            while end < 8, groups[end] == 0 { end += 1 }
            if end - i > best.length { best = (i, end - i) }
            i = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.length >= 2 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.length)...].joined(separator: ":")
    }

    /// Whether the first `length` bits equal those of `prefix` (of the same family).
    func starts(with prefix: IPAddress, length: Int) -> Bool {
        guard prefix.bytes.count == bytes.count else { return false }
        for bit in 0..<length where (bytes[bit / 8] ^ prefix.bytes[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 { return false }
        return true
    }

    /// The IPv4 address in bytes `range`, for the IPv6 forms that carry one.
    func embeddedIPv4(_ range: Range<Int>) -> IPAddress { IPAddress(bytes: Array(bytes[range]))! }

    /// Loopback: 127.0.0.0/8, ::1, or a loopback IPv4 address mapped into IPv6.
    public var isLoopback: Bool {
        if isIPv4 { return bytes[0] == 127 }
        if starts(with: Self.mapped, length: 96) { return embeddedIPv4(12..<16).isLoopback }
        return self == Self.ipv6Loopback
    }

    static let mapped = IPAddress("::ffff:0:0")!
    static let ipv6Loopback = IPAddress("::1")!

    /// A block of special-purpose addresses (RFC 6890 and the registries' later entries).
    struct Block: Sendable {
        let prefix: IPAddress
        let length: Int
        let name: String
        /// Where the block's addresses carry an IPv4 address that decides instead (mapped, NAT64, 6to4).
        let embedded: Range<Int>?

        init(_ cidr: String, _ name: String, embedded: Range<Int>? = nil) {
            let parts = cidr.split(separator: "/")
            prefix = IPAddress(String(parts[0]))!
            length = Int(parts[1])!
            self.name = "\(name) (\(cidr))"
            self.embedded = embedded
        }
    }

    /// Most specific first: the first block that holds an address names it.
    static let blocks: [Block] = [
        Block("0.0.0.0/8", "this network"),
        Block("10.0.0.0/8", "private"),
        Block("100.64.0.0/10", "shared address space"),
        Block("127.0.0.0/8", "loopback"),
        Block("169.254.0.0/16", "link-local"),
        Block("172.16.0.0/12", "private"),
        Block("192.0.0.0/24", "IETF protocol assignments"),
        Block("192.0.2.0/24", "documentation"),
        Block("192.88.99.0/24", "6to4 relay anycast"),
        Block("192.168.0.0/16", "private"),
        Block("198.18.0.0/15", "benchmarking"),
        Block("198.51.100.0/24", "documentation"),
        Block("203.0.113.0/24", "documentation"),
        Block("224.0.0.0/4", "multicast"),
        Block("255.255.255.255/32", "limited broadcast"),
        Block("240.0.0.0/4", "reserved"),
        Block("::/128", "unspecified"),
        Block("::1/128", "loopback"),
        Block("::ffff:0:0/96", "IPv4-mapped", embedded: 12..<16),
        Block("::/96", "IPv4-compatible (deprecated)"),
        Block("64:ff9b::/96", "NAT64", embedded: 12..<16),
        // Local-use NAT64 prefixes may embed the IPv4 address at several offsets (RFC 6052): refused whole.
        Block("64:ff9b:1::/48", "local-use NAT64"),
        Block("100::/64", "discard-only"),
        // Teredo hides the client's address (XORed) and tunnels through a relay: refused with the rest of 2001::/23.
        Block("2001::/32", "Teredo"),
        Block("2001::/23", "IETF protocol assignments"),
        Block("2001:db8::/32", "documentation"),
        Block("2002::/16", "6to4", embedded: 2..<6),
        Block("3fff::/20", "documentation"),
        Block("5f00::/16", "segment routing"),
        Block("fc00::/7", "unique local"),
        Block("fe80::/10", "link-local"),
        Block("fec0::/10", "site-local (deprecated)"),
        Block("ff00::/8", "multicast"),
    ]
    /// The only IPv6 addresses handed out for the public internet (RFC 4291); outside it all is reserved.
    static let globalUnicast = Block("2000::/3", "global unicast")

    /// The special-purpose block holding this address ("loopback (127.0.0.0/8)"), or nil for an ordinary public
    /// address. Where an IPv6 address carries an IPv4 one (mapped, NAT64, 6to4), the IPv4 address decides.
    public var specialPurpose: String? {
        if let block = Self.blocks.first(where: { starts(with: $0.prefix, length: $0.length) }) {
            guard let range = block.embedded else { return block.name }
            return embeddedIPv4(range).specialPurpose.map { "\(block.name) of \($0)" }
        }
        if !isIPv4, !starts(with: Self.globalUnicast.prefix, length: Self.globalUnicast.length) {
            return "reserved (outside \(Self.globalUnicast.name))"
        }
        return nil
    }
}
