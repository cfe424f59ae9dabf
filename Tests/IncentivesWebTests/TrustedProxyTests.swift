import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import Testing

@Suite("Client address behind a trusted proxy")
struct TrustedProxyTests {
    @Test("the last X-Forwarded-For entry is the client; what the client itself sends before it is ignored")
    func lastEntry() {
        #expect(SessionMiddleware.clientAddress(forwardedFor: ["198.51.100.9, 203.0.113.7"]) == "203.0.113.7")
        #expect(SessionMiddleware.clientAddress(forwardedFor: ["198.51.100.9", "203.0.113.7"]) == "203.0.113.7")
        #expect(SessionMiddleware.clientAddress(forwardedFor: [" "]) == nil)
        #expect(SessionMiddleware.clientAddress(forwardedFor: []) == nil)
    }

    @Test("behind the proxy, the address throttle counts each client's address, not the proxy's")
    func throttlePerClient() async throws {
        try await WebHarness.with(trustedProxy: true) { app in
            func attempt(from address: String, email: String, password: String) async throws -> Browser.Page {
                let browser = app.browser()
                await browser.set(header: "X-Forwarded-For", address)
                try await browser.get("/login")
                return try await browser.post("/login", [("email", email), ("password", password)])
            }
            // 20 failures over 20 different (unknown) accounts lock the address, not the accounts.
            for i in 0..<20 { _ = try await attempt(from: "203.0.113.7", email: "guess\(i)@example.com", password: "x") }
            let locked = try await attempt(from: "203.0.113.7", email: "admin@bluefin.example", password: "demo-password")
            #expect(locked.status == .tooManyRequests)
            let other = try await attempt(from: "198.51.100.20", email: "admin@bluefin.example", password: "demo-password")
            #expect(other.status == .seeOther, "another client behind the same proxy signs in")
        }
    }
}
