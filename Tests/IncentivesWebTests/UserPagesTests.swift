import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentivesDomain
import IncentivesStore
@testable import IncentivesWeb
import SQLKit
import Testing

@Suite("Users and roles in the web UI")
struct UserPagesTests {
    @Test("an account admin invites a colleague; the colleague accepts the link, is signed in, and sees their navigation")
    func inviteAndAccept() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            try await admin.get("/settings/users")
            let bad = try await admin.post("/settings/users", [("email", "not-an-email"), ("name", ""), ("role", "1:incentives_user")])
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains(#"<p class="field-error" id="invite-email-error">Enter an email address like name@example.com.</p>"#))
            #expect(bad.body.contains(#"<p class="field-error" id="invite-name-error">Enter the colleague&#39;s name.</p>"#))
            #expect(bad.body.contains(#"value="1:incentives_user" checked"#), "the chosen roles stay chosen")
            let noRole = try await admin.post("/settings/users", [("email", "dana@bluefin.example"), ("name", "Dana Cole")])
            #expect(noRole.body.contains("Choose at least one role on one location."))
            #expect(try await UserRepository(db: app.db).find(email: "dana@bluefin.example") == nil, "nothing half-stored")

            let sent = try await admin.post("/settings/users", [("email", "Dana@Bluefin.example"), ("name", "Dana Cole"),
                                                                 ("role", "1:incentives_user"), ("role", "2:incentives_admin")])
            #expect(sent.status == .seeOther)
            let memberPage = try await admin.get(try #require(sent.location))
            #expect(memberPage.body.h1 == "Dana Cole")
            #expect(memberPage.body.contains("Invited, not yet accepted"))
            let link = try #require(memberPage.body.range(of: #"/invitations/[A-Za-z0-9_-]{43}"#, options: .regularExpression).map { String(memberPage.body[$0]) })
            let dup = try await admin.post("/settings/users", [("email", "dana@bluefin.example"), ("name", "Dana"), ("role", "1:incentives_user")])
            #expect(dup.body.contains("dana@bluefin.example is already a user of your organization."))

            let colleague = app.browser()
            let form = try await colleague.get(link)
            #expect(form.status == .ok && form.body.h1 == "Join Bluefin Consulting")
            let weak = try await colleague.post(link, [("name", "Dana Cole"), ("password", "short"), ("password_confirmation", "short"), ("time_zone", "Europe/London")])
            #expect(weak.status == .unprocessableContent && weak.body.contains("Use at least 12 characters."))
            let joined = try await colleague.post(link, [("name", "Dana Cole"), ("password", "a long enough password"),
                                                         ("password_confirmation", "a long enough password"), ("time_zone", "Europe/London")])
            #expect(joined.status == .seeOther && joined.location == "/")
            let home = try await colleague.get("/")
            #expect(home.body.contains("Welcome to Bluefin Consulting. You are signed in."))
            #expect(home.body.navigation == ["Home", "Engagements", "Customer claims", "Eligibility", "Payee profiles", "Enrollment", "Earnings", "Webhooks"])
            #expect(try await app.browser().get(link).status == .notFound, "a link works once")
        }
    }

    @Test("roles are granted and revoked per location; the last account admin stays")
    func rolesPerLocation() async throws {
        try await WebHarness.with { app in
            let admin = try await app.signedIn("admin@bluefin.example")
            let users = UserRepository(db: app.db)
            let sam = try #require(try await users.find(email: "user@bluefin.example"))
            try await admin.get("/settings/users/\(sam.id)")
            let saved = try await admin.post("/settings/users/\(sam.id)/roles", [("role", "1:incentives_user"), ("role", "3:incentives_admin")])
            #expect(saved.status == .seeOther)
            #expect(try await users.find(email: "user@bluefin.example")?.roles == [1: [.incentivesUser], 3: [.incentivesAdmin]])
            let page = try await admin.get("/settings/users/\(sam.id)")
            #expect(page.body.contains("Roles of Sam Rivera saved: 1 granted, 0 revoked."))

            // Sam's next request already sees Singapore's claims: the scope follows the roles.
            let samBrowser = try await app.signedIn("user@bluefin.example")
            #expect(try await samBrowser.get("/claims").body.contains("Singapore"))

            // Alex is the only account admin: removing Alex's own account-admin roles is refused.
            let alex = try #require(try await users.find(email: "admin@bluefin.example"))
            try await admin.get("/settings/users/\(alex.id)")
            let keepAll = (1...4).map { ("role", "\($0):incentives_admin") }
            let refused = try await admin.post("/settings/users/\(alex.id)/roles", keepAll)
            let after = try await admin.get(try #require(refused.location))
            #expect(after.body.contains("The organization needs at least one account admin"))
            #expect(try await users.find(email: "admin@bluefin.example")?.roles[4]?.contains(.accountAdmin) == true)

            let tampered = try await admin.post("/settings/users/\(sam.id)/roles", [("role", "5:incentives_admin")])
            #expect(tampered.status == .notFound, "a location of another organization is not there")
            let garbage = try await admin.post("/settings/users/\(sam.id)/roles", [("role", "1:overlord")])
            #expect(garbage.status == .badRequest, "a role the page does not offer did not come from it")
            #expect(try await users.find(email: "user@bluefin.example")?.roles == [1: [.incentivesUser], 3: [.incentivesAdmin]])
        }
    }

    @Test("values with quotes, apostrophes, angle brackets and ampersands are escaped in text and attributes")
    func escaping() async throws {
        try await WebHarness.with { app in
            let nasty = #"Zoë "Quote" O'Brien <script>alert(1)</script> & Co"#
            _ = try await UserRepository(db: app.db).add(email: "nasty@bluefin.example", name: nasty, organizationID: 1, vendorRole: nil,
                                                         passwordHash: nil, now: app.clock.now)
            try await app.db.write { try await $0.raw("UPDATE claims SET name = \(bind: nasty) WHERE location_id = 1").run() }
            let admin = try await app.signedIn("admin@bluefin.example")
            for path in ["/settings/users", "/claims"] {
                let page = try await admin.get(path)
                #expect(!page.body.contains("<script>alert(1)</script>"), "\(path)")
                #expect(!page.body.contains(#""Quote""#), "\(path)")
                #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"), "\(path)")
            }
            // In an attribute: the invitation form echoes the email back into value="...".
            let echoed = try await admin.post("/settings/users", [("email", #"x" onfocus='alert(1)' <b>@&.example"#), ("name", "")])
            #expect(!echoed.body.contains(#"onfocus='alert(1)'"#))
            #expect(!echoed.body.contains(#"x" onfocus"#))
            #expect(echoed.body.contains("&quot;") && echoed.body.contains("&lt;b&gt;"))
        }
    }
}
