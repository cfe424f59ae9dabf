import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// What the review pages' forms and filters send, read the one way.
enum ReviewForms {
    /// The most claims one bulk action takes.
    static let bulkLimit = 100

    /// The queue's filters from its address; an unknown value is no filter.
    static func filter(_ query: FormFields) -> ReviewFilter {
        var filter = ReviewFilter()
        filter.status = ClaimStatus(rawValue: query.text("status")).flatMap { ReviewFilter.statuses.contains($0) ? $0 : nil }
        filter.kind = ClaimKind(rawValue: query.text("kind"))
        filter.engagementID = Int64(query.text("engagement"))
        filter.organizationID = Int64(query.text("partner"))
        filter.disputesOnly = query.text("disputes") == "1"
        filter.competingOnly = query.text("competing") == "1"
        return filter
    }

    /// The ticked claims with the versions the page showed (none ticked: empty). The page writes each ticked claim's id
    /// and version: anything else did not come from it.
    static func picked(_ form: FormFields) throws -> [(id: Int64, version: Int)] {
        let picked = try form.all("claim").map { value -> (id: Int64, version: Int) in
            guard let id = Int64(value), id > 0, let version = Int(form.text("version_\(value)")), version >= 0 else {
                throw HTTPError(.badRequest, message: "A ticked claim was not recognised; nothing was changed. Reload the page and try again.")
            }
            return (id, version)
        }
        guard picked.count <= bulkLimit else { throw HTTPError(.badRequest, message: "Act on at most \(bulkLimit) claims at once.") }
        return picked
    }

    /// The bulk action and its reason; an action or a reason code the page does not offer is a malformed request.
    static func bulkRequest(_ form: FormFields) throws -> ClaimActionRequest {
        let action: ClaimAction
        switch form.text("bulk") {
        case ClaimAction.approve.rawValue: action = .approve
        case ClaimAction.requestInformation.rawValue: action = .requestInformation
        default: throw HTTPError(.badRequest, message: "That action was not recognised; nothing was changed.")
        }
        let code = form.text("reason_code")
        if !code.isEmpty && ReviewReason(rawValue: code) == nil {
            throw HTTPError(.badRequest, message: "That reason was not recognised; nothing was changed.")
        }
        return ClaimActionRequest(action, note: form.text("reason"), reasonCode: code)
    }

    /// The claim an arbitration keeps: one of the competing group.
    static func winner(_ form: FormFields, among group: [Int64]) throws -> Int64 {
        guard let winner = Int64(form.text("winner")), group.contains(winner) else {
            throw HTTPError(.badRequest, message: "Choose one of the competing claims; nothing was changed.")
        }
        return winner
    }
}
