import Foundation
import IncentivesDomain
import IncentivesStore

/// Webhook owners as signed-in users are: the demo admins (`admin@bluefin.example`, `admin@cedar.example`) hold
/// Incentives admin on every location of their organization, the program manager owns the vendor's endpoints.
public enum WebhookOwners {
    /// The owner the user acts as, and their id (an endpoint's creator).
    public static func of(_ email: String, _ db: Database) async throws -> (owner: WebhookOwner, userID: Int64) {
        let users = UserRepository(db: db)
        guard let user = try await users.find(email: email), let viewer = try await users.viewer(user.id, acceptsDemoUsers: true) else {
            throw StoreError.notFound("No user \(email).")
        }
        return (WebhookOwner(viewer), user.id)
    }

    /// Adds an endpoint for the user, as the settings page would.
    public static func endpoint(_ db: Database, by email: String, url: String, events: Set<WebhookEventType> = [.claimStatusChanged],
                                policy: WebhookAddressPolicy = .publicOnly, now: Date = TestDatabases.now) async throws -> WebhookEndpoint {
        let (owner, userID) = try await of(email, db)
        return try await WebhookRepository(db: db).create(url: url, description: "", events: events, owner: owner, by: userID,
                                                          policy: policy, now: now).endpoint
    }
}
