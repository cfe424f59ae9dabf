import IncentivesDomain
import Testing

/// Endpoint addresses: a partner admin must not be able to point the server at its own network.
@Suite("Webhook endpoint addresses")
struct WebhookAddressTests {
    @Test("in production only https to a public host passes", arguments: [
        "https://crm.example.com/hooks/incentives", "https://93.184.216.34/hook", "https://[2001:db8::1]/hook",
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
}
