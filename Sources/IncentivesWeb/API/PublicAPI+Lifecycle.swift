import Foundation
import IncentivesAPI
import IncentivesDomain
import IncentivesStore

/// The claim's lifecycle actions, the partner's (tagged Claims in the contract) and the reviewer's (Review): each one call
/// to `act`, which runs the action through `ClaimActions` as the claim page, bulk review and the CLI do.
extension PublicAPI {
    func sendConsent(_ input: Operations.SendConsent.Input) async throws -> Operations.SendConsent.Output {
        .ok(try await act(.sendConsentRequest, on: input.path.id, ifMatch: input.headers.ifMatch, note: input.body))
    }

    func submitClaim(_ input: Operations.SubmitClaim.Input) async throws -> Operations.SubmitClaim.Output {
        .ok(try await act(.submit, on: input.path.id, ifMatch: input.headers.ifMatch, note: input.body))
    }

    func cancelClaim(_ input: Operations.CancelClaim.Input) async throws -> Operations.CancelClaim.Output {
        .ok(try await act(.cancel, on: input.path.id, ifMatch: input.headers.ifMatch, note: input.body))
    }

    func disputeClaim(_ input: Operations.DisputeClaim.Input) async throws -> Operations.DisputeClaim.Output {
        .ok(try await act(.dispute, on: input.path.id, ifMatch: input.headers.ifMatch, note: input.body))
    }

    func startReview(_ input: Operations.StartReview.Input) async throws -> Operations.StartReview.Output {
        .ok(try await act(.startReview, on: input.path.id, ifMatch: input.headers.ifMatch, note: input.body))
    }

    func approveClaim(_ input: Operations.ApproveClaim.Input) async throws -> Operations.ApproveClaim.Output {
        var note: String?, confirmed: [String] = []
        if case .json(let body)? = input.body {
            note = body.note
            confirmed = (body.confirmedCriteria ?? []).map {
                switch $0 {
                case .case1(let position): String(position)
                case .case2(let words): words
                }
            }
        }
        return .ok(try await act(.approve, on: input.path.id, ifMatch: input.headers.ifMatch, note: note, code: nil, confirmed: confirmed))
    }

    func requestInformation(_ input: Operations.RequestInformation.Input) async throws -> Operations.RequestInformation.Output {
        .ok(try await act(.requestInformation, on: input.path.id, ifMatch: input.headers.ifMatch, decision: input.body))
    }

    func rejectClaim(_ input: Operations.RejectClaim.Input) async throws -> Operations.RejectClaim.Output {
        .ok(try await act(.reject, on: input.path.id, ifMatch: input.headers.ifMatch, decision: input.body))
    }

    /// A reviewer's reversal: the claim's version comes in the body (a stale one is 409), the reason and note beside it.
    func reverseClaim(_ input: Operations.ReverseClaim.Input) async throws -> Operations.ReverseClaim.Output {
        guard case .json(let body) = input.body else { throw APIProblem(.badRequest, "Send the reversal as JSON.") }
        // The contract's `minimum: 1`: no claim has a version below it.
        guard body.version >= 1 else { throw APIProblem(.badRequest, "version is the claim's version as last read (its ETag), from 1.") }
        let request = ClaimActionRequest(.reverse, note: body.note, reasonCode: body.reason.rawValue)
        return .ok(try await act(request, on: input.path.id, expectedVersion: Int(body.version)))
    }

    // MARK: One action

    /// An action with an optional note.
    private func act<Answer: ClaimActionAnswer>(_ action: ClaimAction, on id: Int64, ifMatch: String?,
                                                note body: Components.RequestBodies.OptionalNote?) async throws -> Answer {
        var note: String?
        if case .json(let payload)? = body { note = payload.note }
        return try await act(action, on: id, ifMatch: ifMatch, note: note, code: nil)
    }

    /// A reviewer's decision, which takes a coded reason.
    private func act<Answer: ClaimActionAnswer>(_ action: ClaimAction, on id: Int64, ifMatch: String?,
                                                decision body: Components.RequestBodies.ReviewDecision) async throws -> Answer {
        guard case .json(let decision) = body else { throw APIProblem(.badRequest, "Send the reason as JSON.") }
        return try await act(action, on: id, ifMatch: ifMatch, note: decision.note, code: ReviewReason(rawValue: decision.reasonCode.rawValue))
    }

    /// One lifecycle action on a claim, run by the same service as the claim page's; the claim after it, with its ETag.
    private func act<Answer: ClaimActionAnswer>(_ action: ClaimAction, on id: Int64, ifMatch: String?, note: String?,
                                                code: ReviewReason?, confirmed: [String] = []) async throws -> Answer {
        try await act(ClaimActionRequest(action, note: note ?? "", reasonCode: code?.rawValue, confirmedCriteria: confirmed), on: id,
                      expectedVersion: try Self.version(ifMatch))
    }

    /// One request on a claim, at `expectedVersion` when one is named.
    private func act<Answer: ClaimActionAnswer>(_ request: ClaimActionRequest, on id: Int64, expectedVersion: Int?) async throws -> Answer {
        let viewer = try viewer(for: .claims)
        try await actions.run(request, on: id, expectedVersion: expectedVersion, by: viewer, at: now)
        let json = try await claimJSON(id, in: viewer.scope)
        return Answer(headers: .init(eTag: Self.etag(json)), body: .json(try .init(json)))
    }
}

/// What every lifecycle operation answers on success: the claim after the action, with its version as the ETag. The
/// contract repeats the one response per operation, so each gets a type of its own from the generator.
protocol ClaimActionAnswer {
    associatedtype Headers: ClaimETagHeaders
    associatedtype Body: ClaimBody
    init(headers: Headers, body: Body)
}

protocol ClaimETagHeaders {
    init(eTag: String?)
}

protocol ClaimBody {
    static func json(_ claim: Components.Schemas.Claim) -> Self
}

extension Operations.SendConsent.Output.Ok: ClaimActionAnswer {}
extension Operations.SendConsent.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.SendConsent.Output.Ok.Body: ClaimBody {}
extension Operations.SubmitClaim.Output.Ok: ClaimActionAnswer {}
extension Operations.SubmitClaim.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.SubmitClaim.Output.Ok.Body: ClaimBody {}
extension Operations.CancelClaim.Output.Ok: ClaimActionAnswer {}
extension Operations.CancelClaim.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.CancelClaim.Output.Ok.Body: ClaimBody {}
extension Operations.DisputeClaim.Output.Ok: ClaimActionAnswer {}
extension Operations.DisputeClaim.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.DisputeClaim.Output.Ok.Body: ClaimBody {}
extension Operations.StartReview.Output.Ok: ClaimActionAnswer {}
extension Operations.StartReview.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.StartReview.Output.Ok.Body: ClaimBody {}
extension Operations.ApproveClaim.Output.Ok: ClaimActionAnswer {}
extension Operations.ApproveClaim.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.ApproveClaim.Output.Ok.Body: ClaimBody {}
extension Operations.RequestInformation.Output.Ok: ClaimActionAnswer {}
extension Operations.RequestInformation.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.RequestInformation.Output.Ok.Body: ClaimBody {}
extension Operations.RejectClaim.Output.Ok: ClaimActionAnswer {}
extension Operations.RejectClaim.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.RejectClaim.Output.Ok.Body: ClaimBody {}
extension Operations.ReverseClaim.Output.Ok: ClaimActionAnswer {}
extension Operations.ReverseClaim.Output.Ok.Headers: ClaimETagHeaders {}
extension Operations.ReverseClaim.Output.Ok.Body: ClaimBody {}
