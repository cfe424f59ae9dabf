import Foundation
import HTTPTypes
import IncentivesDomain
import IncentivesStore
import IncentivesTestSupport
@testable import IncentivesWeb
import Testing

@Suite("Partners API: the directory through the generated client, on an empty database; hostile input refused")
struct PartnerAPITests {
    @Test("the program manager adds an organization and a location, invites its admin and the location; the reviewer reads",
          arguments: TestDatabases.flavors)
    func walk(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await PartnerPagesTests.vendor(app)
            let manager = app.apiClient(try await app.token("pm@vendor.example"))
            let reviewer = app.apiClient(try await app.token("rv@vendor.example"))
            #expect(try await manager.listPartners().ok.body.json.partners.isEmpty)
            let cedar = try await manager.createPartner(body: .json(.init(name: "Cedar Systems"))).created.body.json
            #expect(cedar.name == "Cedar Systems" && cedar.locations.isEmpty && cedar.deactivatedAt == nil)
            let berlin = try await manager.createPartnerLocation(path: .init(id: cedar.id), body: .json(.init(name: "Berlin", country: "de")))
                .created.body.json
            #expect(berlin.country == "DE" && berlin.market == .a && berlin.enrollment == nil && berlin.organizationId == cedar.id)
            let invitation = try await manager.invitePartnerAdmin(path: .init(id: cedar.id),
                                                                  body: .json(.init(name: "Ana", email: "Ana@Cedar.example"))).created.body.json
            #expect(invitation.email == "ana@cedar.example" && invitation.invitationUrl.contains("/invitations/"))
            let outcomes = try await manager.invitePartnerLocationsToEnroll(path: .init(id: cedar.id), body: .json(.init(locationIds: [berlin.id])))
                .ok.body.json.outcomes
            #expect(outcomes.map(\.result) == [.invited] && outcomes.first?.reason == nil)
            let renamed = try await manager.updatePartnerLocation(path: .init(id: berlin.id), body: .json(.init(name: "Berlin Mitte", country: "DE")))
                .ok.body.json
            #expect(renamed.name == "Berlin Mitte" && renamed.enrollment == "invited")
            let off = try await manager.deactivatePartner(path: .init(id: cedar.id), body: .json(.init(reason: "Contract ended"))).ok.body.json
            #expect(off.deactivationReason == "Contract ended" && off.locations.map(\.deactivationReason) == ["Contract ended"])
            let read = try await reviewer.getPartner(path: .init(id: cedar.id)).ok.body.json
            #expect(read.locations.first?.deactivatedAt != nil)
            let refused = try await app.api("/api/v1/partners/\(cedar.id)/reactivate", method: .post, token: try await app.token("rv@vendor.example"),
                                            json: "{}")
            #expect(refused.status == .forbidden && refused.problemType == "/api/docs#problem-role-not-allowed")
            #expect(try await manager.reactivatePartner(path: .init(id: cedar.id)).ok.body.json.locations.first?.deactivatedAt == nil)
        }
    }

    @Test("hostile input: refused with a 4xx that stores nothing, in every partner write", arguments: TestDatabases.flavors)
    func hostileInput(flavor: SQLFlavor) async throws {
        try await WebHarness.with(flavor: flavor, demo: false, seeded: false) { app in
            try await PartnerPagesTests.vendor(app)
            let token = try await app.token("pm@vendor.example")
            let rlo = HostileFormsTests.rlo
            #expect(try await app.api("/api/v1/partners", method: .post, token: token, json: #"{"name": "Bluefin"}"#).status == .created)
            #expect(try await app.api("/api/v1/partners/1/locations", method: .post, token: token,
                                      json: #"{"name": "Seattle", "country": "US"}"#).status == .created)
            let long = String(repeating: "n", count: 121)
            let cases: [(String, String, HTTPResponse.Status, String)] = [
                ("name with an override", "/partners", .unprocessableContent, "{\"name\": \"Evil\(rlo)\"}"),
                ("name too long", "/partners", .badRequest, "{\"name\": \"\(long)\"}"),
                ("name with a NUL", "/partners", .badRequest, #"{"name": "a\u0000b"}"#),
                ("empty name", "/partners/1", .badRequest, #"{"name": ""}"#),
                ("not JSON", "/partners/1", .badRequest, "name=x"),
                ("blank reason", "/partners/1/deactivate", .unprocessableContent, #"{"reason": " "}"#),
                ("reactivating an active one", "/partners/1/reactivate", .unprocessableContent, "{}"),
                ("country of markup", "/partners/1/locations", .unprocessableContent, #"{"name": "A", "country": "<s"}"#),
                ("country too long", "/partners/1/locations", .badRequest, #"{"name": "A", "country": "DEU"}"#),
                ("email as a formula", "/partners/1/admin", .unprocessableContent, "{\"name\": \"A\", \"email\": \"\(HostileFormsTests.formula)\"}"),
                ("no location", "/partners/1/enrollment", .badRequest, #"{"location_ids": []}"#),
                ("a location id of text", "/partners/1/enrollment", .badRequest, #"{"location_ids": ["<script>"]}"#),
                ("location name with an override", "/partner-locations/1", .unprocessableContent, "{\"name\": \"S\(rlo)\", \"country\": \"US\"}"),
                ("location reason with a bell", "/partner-locations/1/deactivate", .unprocessableContent, #"{"reason": "ding\u0007"}"#),
                ("too many locations", "/partners/1/enrollment", .badRequest,
                 "{\"location_ids\": [\((1...501).map(String.init).joined(separator: ","))]}"),
                ("reactivating an active location", "/partner-locations/1/reactivate", .unprocessableContent, "{}"),
            ]
            for (label, path, status, json) in cases {
                try await HostileFormsTests.refused(app, label, expect: status) {
                    try await app.api("/api/v1" + path, method: .post, token: token, json: json).status
                }
            }
            for id in HostileFormsTests.badIDs {
                try await HostileFormsTests.refused(app, "organization \(id)") {
                    try await app.api("/api/v1/partners/\(id)/deactivate", method: .post, token: token, json: #"{"reason": "x"}"#).status
                }
            }
        }
    }
}
