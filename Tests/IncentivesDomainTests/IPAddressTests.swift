import IncentivesDomain
import Testing

/// Addresses are parsed into bytes, so that every spelling of one address is judged the same.
@Suite("IP addresses: parsed to bytes, classified by RFC 6890")
struct IPAddressTests {
    static func bytes(_ text: String) -> [UInt8]? { IPAddress(text)?.bytes }

    @Test("every spelling of IPv6 loopback and of an IPv4-mapped address gives the same bytes")
    func ipv6Spellings() {
        let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
        for text in ["::1", "0::1", "0:0:0:0:0:0:0:1", "0000:0000:0000:0000:0000:0000:0000:0001", "::0:0:1", "0:0::0:1", "::0.0.0.1"] {
            #expect(Self.bytes(text) == loopback, "\(text)")
        }
        let mapped: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff, 127, 0, 0, 1]
        for text in ["::ffff:127.0.0.1", "::ffff:7f00:1", "0:0:0:0:0:ffff:7f00:1", "0::FFFF:7F00:0001", "0:0:0:0:0:ffff:127.0.0.1"] {
            #expect(Self.bytes(text) == mapped, "\(text)")
        }
        #expect(Self.bytes("::") == Array(repeating: 0, count: 16))
        #expect(Self.bytes("1:2:3:4:5:6:7::") == [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0])
        #expect(Self.bytes("2001:db8::8:800:200c:417a") == [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a])
    }

    @Test("malformed IPv6 and anything but four plain decimal numbers for IPv4 are not addresses", arguments: [
        "", ":", ":::", "1::2::3", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::1", "::g",
        "::1%eth0", "[::1]", "1:2:3:4:5:6:7::8:9", "::1.2.3", "::1.2.3.4:5", "1.2.3.4::", "::+1",
        "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "0x1.2.3.4", "2130706433", "1.2.3.4.", " 1.2.3.4", "١.٢.٣.٤",
    ])
    func notAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("inet_aton's notations: one to four parts, decimal, octal or hex, the last part filling the rest")
    func inetAton() {
        let loopback = IPAddress("127.0.0.1")!
        for text in ["2130706433", "017700000001", "0x7f000001", "0X7F000001", "127.1", "127.0.1", "0177.0.0.1", "0x7f.0.0.1",
                     "0x7f.1", "0177.1", "127.0.0.01", "0x7f.0x0.0x0.0x1"] {
            #expect(IPAddress.inetAton(text) == loopback, "\(text)")
        }
        #expect(IPAddress.inetAton("0") == IPAddress("0.0.0.0"))
        #expect(IPAddress.inetAton("0x") == IPAddress("0.0.0.0"))
        #expect(IPAddress.inetAton("4294967295") == IPAddress("255.255.255.255"))
        #expect(IPAddress.inetAton("1.16777215") == IPAddress("1.255.255.255"))
        for text in ["4294967296", "1.16777216", "1.2.65536", "256.1", "08", "0x1g", "1..2", "1.2.3.4.5", "", ".", "1.2.3.4.", "-1"] {
            #expect(IPAddress.inetAton(text) == nil, "\(text)")
        }
    }

    @Test("addresses are written back as dotted decimal and as RFC 5952 IPv6")
    func description() {
        for (text, written) in [("0:0:0:0:0:0:0:1", "::1"), ("0::0", "::"), ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
                                ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"), ("::ffff:127.0.0.1", "::ffff:7f00:1"),
                                ("fe80::", "fe80::"), ("10.0.0.1", "10.0.0.1")] {
            #expect(IPAddress(text)?.description == written, "\(text)")
            #expect(IPAddress(written) == IPAddress(text), "\(written) reads back")
        }
    }

    @Test("each special-purpose block is named; IPv6 forms carrying an IPv4 address take its block")
    func blocks() {
        #expect(IPAddress("127.0.0.1")?.specialPurpose == "loopback (127.0.0.0/8)")
        #expect(IPAddress("255.255.255.255")?.specialPurpose == "limited broadcast (255.255.255.255/32)")
        #expect(IPAddress("::ffff:169.254.169.254")?.specialPurpose == "IPv4-mapped (::ffff:0:0/96) of link-local (169.254.0.0/16)")
        #expect(IPAddress("2002:a00:1::")?.specialPurpose == "6to4 (2002::/16) of private (10.0.0.0/8)")
        #expect(IPAddress("2001:0:4136:e378:8000:63bf:3fff:fdd2")?.specialPurpose == "Teredo (2001::/32)")
        #expect(IPAddress("4000::1")?.specialPurpose == "reserved (outside global unicast (2000::/3))")
        for text in ["93.184.216.34", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::93.184.216.34", "2002:5db8:d822::"] {
            #expect(IPAddress(text)?.specialPurpose == nil, "\(text)")
        }
        #expect(IPAddress("::ffff:127.0.0.2")?.isLoopback == true && IPAddress("::2")?.isLoopback == false)
    }

    @Test("a host is read as browsers and resolvers read it: a last label of digits makes an address")
    func hosts() {
        #expect(WebhookAddressPolicy.host("[0::1]") == .address(IPAddress("::1")!))
        #expect(WebhookAddressPolicy.host("LocalHost.") == .name("localhost"))
        #expect(WebhookAddressPolicy.host("127.0.0.1.") == .address(IPAddress("127.0.0.1")!))
        #expect(WebhookAddressPolicy.host("0x7f.1") == .otherNotation(IPAddress("127.0.0.1")!))
        #expect(WebhookAddressPolicy.host("crm.example.com") == .name("crm.example.com"))
        #expect(WebhookAddressPolicy.host("1password.example.com") == .name("1password.example.com"))
        for text in ["256.1.1.1", "example.123", "a..", ".", "[1::2::3]", "1.2.3.0x100"] {
            #expect(WebhookAddressPolicy.host(text) == .malformed, "\(text)")
        }
    }

    @Test("at send time every resolved address counts: one inward address refuses the delivery")
    func resolvedAddresses() {
        let url = "https://crm.partner.example/hooks"
        let public1 = IPAddress("93.184.216.34")!, inward = IPAddress("10.0.0.7")!
        #expect(WebhookAddressPolicy.publicOnly.refusal(sending: url, resolvedTo: [public1]) == nil)
        #expect(WebhookAddressPolicy.publicOnly.refusal(sending: url, resolvedTo: [public1, inward])
                == "crm.partner.example resolves to 10.0.0.7, private (10.0.0.0/8): this server does not call addresses inside its own network.")
        #expect(WebhookAddressPolicy.publicOnly.refusal(sending: url, resolvedTo: []) == "crm.partner.example has no address.")
        #expect(WebhookAddressPolicy.allowLocal.refusal(sending: url, resolvedTo: [inward]) == nil)
        // Saved while local addresses were allowed, sent after they no longer are.
        #expect(WebhookAddressPolicy.publicOnly.refusal(sending: "http://127.0.0.1:8080/h", resolvedTo: [IPAddress("127.0.0.1")!])
                == "This address is not allowed: Use an https:// address.")
        #expect(WebhookAddressPolicy.allowLocal.refusal(sending: "http://localhost:8080/h", resolvedTo: [IPAddress("::1")!]) == nil)
        #expect(WebhookAddressPolicy.allowLocal.refusal(sending: "http://localhost:8080/h", resolvedTo: [inward])
                == "localhost resolves to 10.0.0.7: plain http:// goes only to this machine.")
    }
}
