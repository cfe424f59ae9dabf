import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore
import OpenAPIRuntime

/// The contract's Eligibility and Inclusion requests operations, through the same `EligibilityLists` and
/// `InclusionRequests` calls as the pages. The vendor reads every list and the queue (a partner's token is 403), the
/// program manager changes them; a partner's Incentives admin asks for its own locations and reads its own requests only.
extension PublicAPI {
    var lists: EligibilityLists { deps.stores.eligibility }

    func eligibilityList(_ engagementID: Int64) async throws -> Components.Schemas.EligibilityList {
        guard let list = try await lists.list(engagementID, at: now) else { throw APIProblem.notFound() }
        return .init(list)
    }

    // MARK: Lists and criteria

    func getEligibilityList(_ input: Operations.GetEligibilityList.Input) async throws -> Operations.GetEligibilityList.Output {
        _ = try consoleCaller(changes: false)
        return .ok(.init(body: .json(try await eligibilityList(input.path.id))))
    }

    func addEligibilityLocation(_ input: Operations.AddEligibilityLocation.Input) async throws -> Operations.AddEligibilityLocation.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the location id as JSON.") }
        try await lists.add(body.locationId, to: input.path.id, by: viewer, at: now)
        return .ok(.init(body: .json(try await eligibilityList(input.path.id))))
    }

    func removeEligibilityLocation(_ input: Operations.RemoveEligibilityLocation.Input) async throws -> Operations.RemoveEligibilityLocation.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the location id as JSON.") }
        try await lists.remove(body.locationId, from: input.path.id, by: viewer, at: now)
        return .ok(.init(body: .json(try await eligibilityList(input.path.id))))
    }

    func setLocationCriterion(_ input: Operations.SetLocationCriterion.Input) async throws -> Operations.SetLocationCriterion.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the criterion as JSON.") }
        try APILimits.length(body.criterion, "criterion", max: 500)
        try APILimits.length(body.expiresOn, "expires_on", max: 10)
        let setting = try CriterionSetting(status: body.status.rawValue, expiresOn: body.expiresOn ?? "", evidence: body.evidence ?? "",
                                           today: DayDate(now))
        try await lists.setCriterion(body.criterion, of: body.locationId, on: input.path.id, to: setting, by: viewer, at: now)
        return .ok(.init(body: .json(try await eligibilityList(input.path.id))))
    }

    func importEligibilityList(_ input: Operations.ImportEligibilityList.Input) async throws -> Operations.ImportEligibilityList.Output {
        guard case .csv(let body) = input.body else { throw APIProblem(.badRequest, "Send the file as text/csv.") }
        let preview = try await importCSV(body, into: input.path.id, dryRun: input.query.dryRun ?? false) { text, apply, viewer in
            try await lists.importList(text, into: input.path.id, apply: apply, by: viewer, at: now)
        }
        return preview.problems.isEmpty ? .ok(.init(body: .json(preview))) : .unprocessableContent(.init(body: .json(preview)))
    }

    func importLocationCriteria(_ input: Operations.ImportLocationCriteria.Input) async throws -> Operations.ImportLocationCriteria.Output {
        guard case .csv(let body) = input.body else { throw APIProblem(.badRequest, "Send the file as text/csv.") }
        let preview = try await importCSV(body, into: input.path.id, dryRun: input.query.dryRun ?? false) { text, apply, viewer in
            try await lists.importCriteria(text, into: input.path.id, apply: apply, by: viewer, at: now)
        }
        return preview.problems.isEmpty ? .ok(.init(body: .json(preview))) : .unprocessableContent(.init(body: .json(preview)))
    }

    /// A CSV body read by `csvText`, then previewed or applied by the store; a file it cannot read is one problem on line 1.
    private func importCSV(_ body: HTTPBody, into engagementID: Int64, dryRun: Bool,
                           run: (String, Bool, Viewer) async throws -> ImportPreview) async throws -> Components.Schemas.ImportPreview {
        let viewer = try consoleCaller(changes: true)
        guard try await console.file(engagementID) != nil else { throw APIProblem.notFound() }
        switch try await csvText(body) {
        case .failure(let problem): return .init(ImportPreview(unread: problem))
        case .success(let text): return .init(try await run(text, !dryRun, viewer))
        }
    }

    /// A CSV body's text, read as the page reads an uploaded file (UTF-8, within `CSVTable.maxFileBytes`), or why it can't be read.
    func csvText(_ body: HTTPBody) async throws -> Result<String, ImportProblem> {
        var bytes: [UInt8] = []
        var tooLarge = false
        for try await chunk in body {
            bytes += chunk
            if bytes.count > CSVTable.maxFileBytes { tooLarge = true; break }
        }
        do throws(ImportProblem) { return .success(try CSVTable.text(ofFile: bytes, tooLarge: tooLarge)) } catch { return .failure(error) }
    }

    // MARK: Inclusion requests

    func listEngagementInclusionRequests(_ input: Operations.ListEngagementInclusionRequests.Input)
        async throws -> Operations.ListEngagementInclusionRequests.Output {
        let viewer = try viewer(for: .engagements)
        guard try await deps.stores.engagements.detail(input.path.id, in: viewer.scope, at: now) != nil else { throw APIProblem.notFound() }
        let requests = try await deps.stores.inclusionRequests.ofEngagement(input.path.id, in: viewer.scope)
        return .ok(.init(body: .json(.init(inclusionRequests: requests.map { .init($0) }, nextCursor: nil))))
    }

    func createInclusionRequest(_ input: Operations.CreateInclusionRequest.Input) async throws -> Operations.CreateInclusionRequest.Output {
        let viewer = try viewer(for: .engagements)
        guard viewer.isIncentivesAdmin else { throw APIProblem(.roleNotAllowed, "Only an Incentives admin asks for a location to be included.") }
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the location id and note as JSON.") }
        let requests = deps.stores.inclusionRequests
        let id = try await requests.send(body.locationId, to: input.path.id, note: body.note, by: viewer, at: now)
        guard let sent = try await requests.ofEngagement(input.path.id, in: viewer.scope).first(where: { $0.id == id }) else {
            throw APIProblem.notFound()
        }
        return .created(.init(body: .json(.init(sent))))
    }

    func listInclusionRequests(_ input: Operations.ListInclusionRequests.Input) async throws -> Operations.ListInclusionRequests.Output {
        _ = try consoleCaller(changes: false)
        let q = input.query, perPage = 50
        // One more than a page: whether a next one exists.
        let found = try await deps.stores.inclusionRequests.queue(status: q.status.flatMap { InclusionRequestStatus(rawValue: $0.rawValue) },
                                                                  engagementID: q.engagement, after: q.after, limit: perPage + 1)
        let page = found.prefix(perPage)
        return .ok(.init(body: .json(.init(inclusionRequests: page.map { .init($0) }, nextCursor: found.count > perPage ? page.last?.id : nil))))
    }

    func approveInclusionRequest(_ input: Operations.ApproveInclusionRequest.Input) async throws -> Operations.ApproveInclusionRequest.Output {
        let viewer = try consoleCaller(changes: true)
        let decided = try await deps.stores.inclusionRequests.decide(input.path.id, .approve, by: viewer, at: now)
        return .ok(.init(body: .json(.init(decided))))
    }

    func declineInclusionRequest(_ input: Operations.DeclineInclusionRequest.Input) async throws -> Operations.DeclineInclusionRequest.Output {
        let viewer = try consoleCaller(changes: true)
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the reason as JSON.") }
        let decision = try InclusionDecision(decision: "decline", reason: body.reason)
        let decided = try await deps.stores.inclusionRequests.decide(input.path.id, decision, by: viewer, at: now)
        return .ok(.init(body: .json(.init(decided))))
    }
}
