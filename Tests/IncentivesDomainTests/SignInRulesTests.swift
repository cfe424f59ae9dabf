import Foundation
import IncentivesDomain
import Testing

@Suite("Sign-in rules: the throttle and redirect targets")
struct SignInRulesTests {
    // MARK: Redirect targets

    @Test("paths on this site are kept as they are", arguments: [
        "/", "/claims", "/claims?tab=all&q=acme%20corp", "/claims/12#history", "/settings/users?x=1", "/engagements/3/customers?after=MTI%3D",
        "/a:b@c", "/claims?q=%E2%82%AC",
    ])
    func kept(path: String) {
        #expect(RedirectTarget.sameOriginPath(path) == path)
    }

    @Test("anything that could leave the site is refused", arguments: [
        nil, "", "claims", "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
        "/\n/evil.example", "/\r/evil.example", " /claims", "/claims ", "/\u{0000}", "/\u{007F}", "/\u{00A0}/evil.example",
        "/\u{3000}/evil.example", "/\u{2028}/evil.example", "/\u{202E}/evil.example", "/\u{200B}/evil.example", "/\u{FEFF}/x",
        "/é", "/%2F%2Fevil.example", "/%2f/evil.example", "/%5Cevil.example", "/%252F/evil.example", "/%25252F%25252Fevil.example",
        "/%09/evil.example", "/%0A", "/100%", "/%zz", "https://evil.example", "javascript:alert(1)", "data:text/html,x",
        "/<script>", "/\"x", "/" + String(repeating: "a", count: 2_000),
    ] as [String?])
    func refused(target: String?) {
        #expect(RedirectTarget.sameOriginPath(target) == nil)
    }
}
