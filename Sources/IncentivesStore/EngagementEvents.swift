import Foundation
import IncentivesDomain
import SQLKit

/// `engagement.published`, written in the transaction that publishes an engagement or a new version of it. It names no
/// location (the engagement is the program's), and a partner endpoint takes only its locations' events, so it goes to the
/// vendor's endpoints that chose it (`WebhookEventType.isVendorOnly`).
enum EngagementEvents {
    struct AreaRef: Encodable { let id: Int64; let code: String; let name: String }

    struct EngagementRef: Encodable {
        let id: Int64
        let name: String
        let solutionArea: AreaRef
        let role: String
        let lifecycle: String
        let status: String
        enum CodingKeys: String, CodingKey { case id, name, solutionArea = "solution_area", role, lifecycle, status }
    }

    struct VersionRef: Encodable {
        let number: Int
        let effectiveFrom: Date
        /// The version in force until this one takes effect; null for the engagement's first publication.
        let previousNumber: Int?
        enum CodingKeys: String, CodingKey { case number, effectiveFrom = "effective_from", previousNumber = "previous_number" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(number, forKey: .number)
            try c.encode(effectiveFrom, forKey: .effectiveFrom)
            try c.encode(previousNumber, forKey: .previousNumber)
        }
    }

    struct Published: Encodable {
        let engagement: EngagementRef
        let version: VersionRef
        let actor: String
    }

    /// Reads the engagement as it now stands (the version just published included) and writes the event, when a vendor
    /// endpoint listens.
    static func published(_ engagementID: Int64, version number: Int, by actor: String, at now: Date, on sql: any SQLDatabase) async throws {
        let endpoints = try await sql.raw("""
            SELECT e.id FROM webhook_endpoint_events t JOIN webhook_endpoints e ON e.id = t.endpoint_id
            WHERE t.event_type = \(bind: WebhookEventType.engagementPublished.rawValue) AND e.organization_id IS NULL
            ORDER BY e.id
            """).all(decodingColumn: "id", as: Int64.self)
        guard !endpoints.isEmpty,
              let file = try await CatalogueConsole.file(engagementID, history: false, on: sql),
              let version = file.published.first(where: { $0.number == number }) else { return }
        let previous = file.published.last { $0.number < number }?.number
        let area = file.solutionArea
        let data = Published(
            engagement: EngagementRef(id: engagementID, name: file.name, solutionArea: AreaRef(id: area.id, code: area.code, name: area.name),
                                      role: file.role.rawValue, lifecycle: file.lifecycle.rawValue, status: file.status.rawValue),
            version: VersionRef(number: number, effectiveFrom: version.effectiveFrom, previousNumber: previous), actor: actor)
        try await WebhookEvents.insert(.engagementPublished, organizationID: nil, locationID: nil, data: data, endpoints: endpoints,
                                       now: now, on: sql)
    }
}
