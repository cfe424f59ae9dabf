import IncentivesDomain
import Testing

/// Endpoint addresses: a partner admin must not be able to point the server at its own network.
@Suite("Webhook endpoint addresses")
struct WebhookAddressTests {
    @Test("in production only https to a public host passes", arguments: [
        "https://crm.example.com/hooks/incentives", "https://93.184.216.34/hook", "https://[2606:4700:4700::1111]/hook",
        "https://hooks.example.com:8443/x?y=1",
    ])
    func publicAddresses(url: String) {
        #expect(WebhookEndpointRules.problem(withURL: url, policy: .publicOnly) == nil)
    }

    @Test("in production addresses inside the network are refused, in every notation", arguments: [
        "https://localhost/hook", "https://app.localhost/hook", "https://127.0.0.1/hook", "https://127.8.9.10/hook",
        "https://10.0.0.5/hook", "https://172.16.0.1/hook", "https://172.31.255.255/hook", "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data", "https://0.0.0.0/hook", "https://100.64.0.1/hook", "https://[::1]/hook",
        "https://[fd00::1]/hook", "https://[fe80::1]/hook", "https://[::ffff:127.0.0.1]/hook", "https://[::ffff:7f00:1]/hook",
        "https://2130706433/hook", "https://127.1/hook", "https://0177.0.0.1/hook", "https://0x7f.0.0.1/hook",
    ])
    func localAddresses(url: String) {
        #expect(WebhookEndpointRules.problem(withURL: url, policy: .publicOnly)
                == "Use a public address: this server does not call addresses inside its own network.")
    }

    @Test("172.15 and 172.32 are public; so is a host name that starts with digits")
    func rangeEdges() {
        for url in ["https://172.15.0.1/h", "https://172.32.0.1/h", "https://1password.example.com/h", "https://100.63.0.1/h"] {
            #expect(WebhookEndpointRules.problem(withURL: url, policy: .publicOnly) == nil, "\(url)")
        }
    }

    @Test("plain http: never in production; with local addresses allowed, only to this machine")
    func plainHTTP() {
        #expect(WebhookEndpointRules.problem(withURL: "http://crm.example.com/h", policy: .publicOnly) == "Use an https:// address.")
        #expect(WebhookEndpointRules.problem(withURL: "http://127.0.0.1:8080/h", policy: .publicOnly) == "Use an https:// address.")
        #expect(WebhookEndpointRules.problem(withURL: "http://127.0.0.1:8080/h", policy: .allowLocal) == nil)
        #expect(WebhookEndpointRules.problem(withURL: "http://localhost/h", policy: .allowLocal) == nil)
        #expect(WebhookEndpointRules.problem(withURL: "https://10.0.0.5/h", policy: .allowLocal) == nil)
        #expect(WebhookEndpointRules.problem(withURL: "http://10.0.0.5/h", policy: .allowLocal)
                == "Use https://. Plain http:// is allowed only for 127.0.0.1 and localhost.")
    }

    @Test("credentials, fragments, other schemes and half addresses are refused under both policies")
    func malformed() {
        for policy in [WebhookAddressPolicy.publicOnly, .allowLocal] {
            #expect(WebhookEndpointRules.problem(withURL: "https://u:p@crm.example.com/h", policy: policy)?.hasPrefix("Leave the user name") == true)
            #expect(WebhookEndpointRules.problem(withURL: "https://crm.example.com/h#x", policy: policy)?.hasPrefix("Leave out the #fragment") == true)
            #expect(WebhookEndpointRules.problem(withURL: "ftp://crm.example.com/h", policy: policy) == "Use an https:// address.")
            #expect(WebhookEndpointRules.problem(withURL: "crm.example.com", policy: policy)?.hasPrefix("Enter a whole address") == true)
            #expect(WebhookEndpointRules.problem(withURL: "", policy: policy) == "Enter the address that receives the events.")
        }
    }

    static let localMessage = "Use a public address: this server does not call addresses inside its own network."

    /// Loopback in the notations the security review and issue 15 got through, and the odd numbers-and-dots
    /// notations a C resolver reads as an IPv4 address.
    static let loopbackNotations = [
        "https://[0:0:0:0:0:0:0:1]:9/", "https://[0::1]/", "https://[0:0:0:0:0:ffff:7f00:1]/", "https://localhost./",
        "https://foo.localhost./", "https://LOCALHOST/", "https://[0000:0000::0001]/", "https://[::0:1]/",
        "https://[0::ffff:169.254.169.254]/", "https://[::ffff:a9fe:a9fe]/", "https://[::FFFF:7F00:1]/", "https://[::127.0.0.1]/",
        "https://2130706433/", "https://017700000001/", "https://0x7f000001/", "https://0X7F.1/", "https://127.1/", "https://127.0.1/",
        "https://0177.0.0.1/", "https://127.0.0.1./", "https://0/", "https://10.1/", "https://0xa.0.0.1/", "https://012.0.0.1/",
    ]

    /// One or two addresses of every special-purpose block of RFC 6890 and its updates (edges included).
    static let specialPurpose = [
        "0.1.2.3", "10.0.0.0", "10.255.255.255", "100.64.0.0", "100.127.255.255", "127.255.255.254", "169.254.0.1",
        "172.16.0.0", "172.31.255.255", "192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.255.255", "198.18.0.1",
        "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255",
        "[::]", "[::1]", "[::ffff:10.0.0.1]", "[::ffff:0.0.0.0]", "[::a00:1]", "[::8.8.8.8]", "[64:ff9b::a00:1]", "[64:ff9b::127.0.0.1]",
        "[64:ff9b:1::5db8:d822]", "[100::1]", "[100::ffff:ffff:ffff:ffff]", "[2001::1]", "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
        "[2001:10::1]", "[2001:1ff:ffff::1]", "[2001:db8::1]", "[2001:db8:ffff::1]", "[2002:a00:1::1]", "[2002:7f00:1::]",
        "[2002:c0a8:101::1]", "[fc00::1]", "[fdff:ffff::1]", "[fe80::1]", "[febf::1]", "[ff02::1]", "[ff0e::1]",
    ].map { "https://\($0)/hook" }

    @Test("in production loopback is refused in every notation, and every special-purpose range",
          arguments: loopbackNotations + specialPurpose)
    func refusedByParsedAddress(url: String) {
        #expect(WebhookEndpointRules.problem(withURL: url, policy: .publicOnly) == Self.localMessage)
    }

    @Test("public addresses next to the special ranges pass, and so do IPv6 forms that carry a public IPv4 address", arguments: [
        "1.1.1.1", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.255", "192.0.3.0", "192.169.0.1",
        "198.17.255.255", "198.20.0.0", "223.255.255.255", "[2a00:1450:4001:81c::200e]", "[2001:200::1]", "[::ffff:93.184.216.34]",
        "[64:ff9b::5db8:d822]", "[2002:5db8:d822::1]", "localhost.example.com", "mylocalhost", "example.localhost.com",
    ].map { "https://\($0)/hook" })
    func publicNextToSpecial(url: String) {
        #expect(WebhookEndpointRules.problem(withURL: url, policy: .publicOnly) == nil)
    }

    @Test("a public address in an odd notation, and numbers that are no address, are refused under both policies", arguments: [
        "https://1572395042/", "https://0x5db8d822/", "https://93.184.54050/", "https://1.2.3.4.5/", "https://256.1.1.1/",
        "https://1.2.3.0x100/", "https://08.1.2.3/", "https://[1::2::3]/", "https://[::ffff:1.2.3]/", "https://[12345::1]/",
        "https://[1:2:3:4:5:6:7:8:9]/", "https://[::g]/",
    ])
    func oddNotations(url: String) {
        for policy in [WebhookAddressPolicy.publicOnly, .allowLocal] {
            let problem = WebhookEndpointRules.problem(withURL: url, policy: policy)
            #expect(problem != nil && problem != Self.localMessage, "\(url): \(problem ?? "accepted")")
        }
    }
}
