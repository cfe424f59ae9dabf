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
        let page = try await deps.stores.program.earnings(in: viewer.scope, limit: 100)
        return .ok(.init(body: .json(.init(earnings: page.lines.map { .init($0) }))))
    }

    // MARK: Catalogue

    func listCatalogueEngagements(_ input: Operations.ListCatalogueEngagements.Input) async throws -> Operations.ListCatalogueEngagements.Output {
        _ = try viewer(for: .catalogue)
        let entries = try await deps.stores.program.catalogue()
        return .ok(.init(body: .json(.init(engagements: entries.map { .init($0) }))))
    }
}
