import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

/// The contract's catalogue console: the program, its solution areas and engagements drafted, previewed, published and
/// closed, through the same `CatalogueConsole` calls as the `/catalogue` pages. Reads are the vendor's (a partner's token
/// is 403); writes the program manager's (the reviewer's is 403); an unknown id is 404.
extension PublicAPI {
    var console: CatalogueConsole { deps.stores.console }

    /// The vendor user reading `section`, who must be the program manager for a change (`what` says to what).
    func vendorCaller(_ section: Section, changes: Bool, what: String) throws -> Viewer {
        let viewer = try viewer(for: section)
        if changes && viewer.vendorRole != .programManager { throw APIProblem(.roleNotAllowed, "Only the program manager changes \(what).") }
        return viewer
    }

    func consoleCaller(changes: Bool) throws -> Viewer { try vendorCaller(.catalogue, changes: changes, what: "the catalogue") }

    func consoleEngagement(_ id: Int64) async throws -> Components.Schemas.ConsoleEngagement {
        guard let file = try await console.file(id) else { throw APIProblem.notFound() }
        return .init(file, at: now)
    }

    // MARK: The program and its areas

    func getProgram(_ input: Operations.GetProgram.Input) async throws -> Operations.GetProgram.Output {
        _ = try consoleCaller(changes: false)
        guard let program = try await deps.stores.program.program() else { throw APIProblem.notFound("There is no program yet.") }
        return .ok(.init(body: .json(.init(program))))
    }

    func setProgram(_ input: Operations.SetProgram.Input) async throws -> Operations.SetProgram.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the program as JSON.") }
        let exists = try await deps.stores.program.program() != nil
        if exists {
            try await console.editProgram(name: body.name, managerName: body.managerName, managerEmail: body.managerEmail, by: viewer, at: now)
        } else {
            _ = try await console.createProgram(name: body.name, managerName: body.managerName, managerEmail: body.managerEmail, by: viewer, at: now)
        }
        guard let program = try await deps.stores.program.program() else { throw APIProblem.notFound() }
        return exists ? .ok(.init(body: .json(.init(program)))) : .created(.init(body: .json(.init(program))))
    }

    func listSolutionAreas(_ input: Operations.ListSolutionAreas.Input) async throws -> Operations.ListSolutionAreas.Output {
        _ = try consoleCaller(changes: false)
        let areas = try await console.areas()
        let listed = areas.map { Components.Schemas.ConsoleArea(id: $0.area.id, code: $0.area.code, name: $0.area.name, position: $0.position) }
        return .ok(.init(body: .json(.init(areas: listed))))
    }

    private func area(_ id: Int64) async throws -> Components.Schemas.ConsoleArea {
        guard let found = try await console.areas().first(where: { $0.area.id == id }) else { throw APIProblem.notFound() }
        return .init(id: id, code: found.area.code, name: found.area.name, position: found.position)
    }

    func createSolutionArea(_ input: Operations.CreateSolutionArea.Input) async throws -> Operations.CreateSolutionArea.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the area as JSON.") }
        try APILimits.position(body.position)
        let id = try await console.addArea(code: body.code, name: body.name, position: body.position, by: viewer, at: now)
        return .created(.init(body: .json(try await area(id))))
    }

    func updateSolutionArea(_ input: Operations.UpdateSolutionArea.Input) async throws -> Operations.UpdateSolutionArea.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the area as JSON.") }
        try APILimits.position(body.position)
        guard let position = body.position else {
            throw CatalogueError.invalid(field: "position", "Give the area's place, a whole number from 1 to 1,000 (1 comes first).")
        }
        try await console.editArea(input.path.id, code: body.code, name: body.name, position: position, by: viewer, at: now)
        return .ok(.init(body: .json(try await area(input.path.id))))
    }

    // MARK: Engagements

    func createEngagement(_ input: Operations.CreateEngagement.Input) async throws -> Operations.CreateEngagement.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the engagement as JSON.") }
        let draft = EngagementDraft(name: body.name, solutionAreaID: body.solutionAreaId,
                                    role: PartnerRole(rawValue: body.role.rawValue) ?? .buildIntent, opensOn: try Self.day(body.opensOn, "opens_on"),
                                    closesAfter: try body.closesAfter.map { try Self.day($0, "closes_after") },
                                    terms: try EngagementTermsInput(body.terms).terms())
        let id = try await console.draft(draft, by: viewer, at: now)
        return .created(.init(body: .json(try await consoleEngagement(id))))
    }

    func getConsoleEngagement(_ input: Operations.GetConsoleEngagement.Input) async throws -> Operations.GetConsoleEngagement.Output {
        _ = try consoleCaller(changes: false)
        return .ok(.init(body: .json(try await consoleEngagement(input.path.id))))
    }

    func saveEngagementDraft(_ input: Operations.SaveEngagementDraft.Input) async throws -> Operations.SaveEngagementDraft.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the draft as JSON.") }
        guard let file = try await console.file(input.path.id) else { throw APIProblem.notFound() }
        let terms = try EngagementTermsInput(body.terms).terms()
        // Only a draft engagement's name, area, role and dates change; a version changes its terms (as on the page).
        let isDraft = file.lifecycle == .draft
        let opens = try isDraft ? body.opensOn.map { try Self.day($0, "opens_on") } : nil
        let closes = try isDraft ? body.closesAfter.map { try Self.day($0, "closes_after") } : nil
        let draft = EngagementDraft(name: (isDraft ? body.name : nil) ?? file.name,
                                    solutionAreaID: (isDraft ? body.solutionAreaId : nil) ?? file.solutionArea.id,
                                    role: (isDraft ? body.role.flatMap { PartnerRole(rawValue: $0.rawValue) } : nil) ?? file.role,
                                    opensOn: opens ?? file.opensOn ?? DayDate(now),
                                    closesAfter: isDraft && body.closesAfter != nil ? closes : file.closesAfter, terms: terms)
        try await console.saveDraft(file.id, draft, by: viewer, at: now)
        return .ok(.init(body: .json(try await consoleEngagement(file.id))))
    }

    func startEngagementVersion(_ input: Operations.StartEngagementVersion.Input) async throws -> Operations.StartEngagementVersion.Output {
        let viewer = try consoleCaller(changes: true)
        _ = try await console.startVersion(input.path.id, by: viewer, at: now)
        return .ok(.init(body: .json(try await consoleEngagement(input.path.id))))
    }

    func previewEngagementDraft(_ input: Operations.PreviewEngagementDraft.Input) async throws -> Operations.PreviewEngagementDraft.Output {
        _ = try consoleCaller(changes: false)
        guard let file = try await console.file(input.path.id) else { throw APIProblem.notFound() }
        let inForce = file.inForce(at: now)
        let changes = file.draft.flatMap { draft in inForce.map { draft.terms.changes(from: $0.terms) } } ?? []
        return .ok(.init(body: .json(.init(draftVersion: file.draft?.number, versionInForce: inForce?.number,
                                           changes: changes.map { .init(label: $0.label, before: $0.before, after: $0.after) }))))
    }

    func publishEngagement(_ input: Operations.PublishEngagement.Input) async throws -> Operations.PublishEngagement.Output {
        let viewer = try consoleCaller(changes: true)
        var effective: Date?
        if case .json(let body) = input.body, let typed = body.effectiveFrom, !typed.trimmingCharacters(in: .whitespaces).isEmpty {
            let day = try Self.day(typed, "effective_from")
            // Today means now (its midnight has passed); a later day, from its start (UTC), as the page reads it.
            effective = day == DayDate(now) ? nil : day.startUTC
        }
        try await console.publish(input.path.id, effectiveFrom: effective, by: viewer, at: now)
        return .ok(.init(body: .json(try await consoleEngagement(input.path.id))))
    }

    func closeEngagement(_ input: Operations.CloseEngagement.Input) async throws -> Operations.CloseEngagement.Output {
        let viewer = try consoleCaller(changes: true)
        try await console.close(input.path.id, by: viewer, at: now)
        return .ok(.init(body: .json(try await consoleEngagement(input.path.id))))
    }

    /// A YYYY-MM-DD the contract carries as text; refused next to its member.
    static func day(_ text: String, _ field: String) throws -> DayDate {
        try APILimits.length(text, field, max: 10)
        guard let day = DayDate(text.trimmingCharacters(in: .whitespaces)) else {
            throw CatalogueError.invalid(field: field, "\(text) is not a day: write it as YYYY-MM-DD.")
        }
        return day
    }
}
