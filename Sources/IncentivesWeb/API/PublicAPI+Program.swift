import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

/// The contract's Account, Program and Catalogue operations: who is asking, and the program as the caller may see it.
extension PublicAPI {
    // MARK: Account

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        .ok(.init(body: .json(.init(try caller()))))
    }

    // MARK: Program

    func listEngagements(_ input: Operations.ListEngagements.Input) async throws -> Operations.ListEngagements.Output {
        let viewer = try viewer(for: .engagements)
        let now = self.now
        let board = try await deps.stores.engagements.board(in: viewer.scope, at: now)
        return .ok(.init(body: .json(.init(engagements: board.engagements.map { .init($0, at: now) }))))
    }

    func getEngagement(_ input: Operations.GetEngagement.Input) async throws -> Operations.GetEngagement.Output {
        let viewer = try viewer(for: .engagements)
        let now = self.now
        guard let detail = try await deps.stores.engagements.detail(input.path.id, in: viewer.scope, at: now) else {
            throw APIProblem.notFound()
        }
        return .ok(.init(body: .json(.init(detail, at: now))))
    }

    func listLocations(_ input: Operations.ListLocations.Input) async throws -> Operations.ListLocations.Output {
        let viewer = try viewer(for: .eligibility)
        let now = self.now
        let reads = deps.stores.program
        let programID = try await reads.program()?.id
        let locations = try await reads.locations(in: viewer.scope, at: now)
        return .ok(.init(body: .json(.init(locations: locations.map { .init($0, programID: programID, at: now) }))))
    }

    func listPayeeProfiles(_ input: Operations.ListPayeeProfiles.Input) async throws -> Operations.ListPayeeProfiles.Output {
        let viewer = try viewer(for: .payeeProfiles)
        let now = self.now
        let profiles = try await deps.stores.program.payeeProfiles(in: viewer.scope)
        return .ok(.init(body: .json(.init(profiles, at: now))))
    }

    func listCustomers(_ input: Operations.ListCustomers.Input) async throws -> Operations.ListCustomers.Output {
        let viewer = try viewer(for: .claims)
        let customers = try await intake.knownCustomers(in: viewer.scope)
        return .ok(.init(body: .json(.init(customers: customers.map { .init($0) }))))
    }

    func listEarnings(_ input: Operations.ListEarnings.Input) async throws -> Operations.ListEarnings.Output {
        let viewer = try viewer(for: .earnings)
        let limit = input.query.limit ?? 50
        guard (1...100).contains(limit) else { throw APIProblem(.badRequest, "limit is how many earnings a page holds: 1 to 100.") }
        let reads = deps.stores.earnings
        var cursor = EarningsCursor.newest
        if let after = input.query.after {
            // A cursor names an earning: one that is not the caller's is not found, rather than an empty last page.
            guard try await reads.holds(after, in: viewer.scope) else { throw APIProblem.notFound("There is no earning \(after) among yours to page from.") }
            cursor = .olderThan(after)
        }
        let slice = try await reads.page(in: viewer.scope, from: cursor, limit: limit)
        return .ok(.init(body: .json(.init(earnings: slice.lines.map { .init($0) }, nextCursor: slice.hasOlder ? slice.lines.last?.id : nil))))
    }

    // MARK: Catalogue

    func listCatalogueEngagements(_ input: Operations.ListCatalogueEngagements.Input) async throws -> Operations.ListCatalogueEngagements.Output {
        _ = try viewer(for: .catalogue)
        let entries = try await deps.stores.program.catalogue()
        return .ok(.init(body: .json(.init(engagements: entries.map { .init($0) }))))
    }
}
