import Foundation
import IncentivesDomain
import IncentivesStore

extension ClaimView {
    struct Step: Sendable {
        let label: String
        let state: String
        let isCurrent: Bool

        /// The kind's usual path, with a status off the path shown where the claim left it.
        static func path(of file: ClaimFile) -> [Step] {
            let claim = file.claim
            let path: [ClaimStatus] = claim.kind == .partnerActivities
                ? [.customerClaimed, .awaitingConsent, .consentReceived, .submitted, .underReview, .approved]
                : [.customerClaimed, .submitted, .underReview, .approved]
            let reached = Set(file.history.map(\.to))
            var shown = path
            if !path.contains(claim.status) {
                let lastReached = path.lastIndex(where: { reached.contains($0) }) ?? 0
                shown = Array(path[...lastReached]) + [claim.status] + (claim.status.isTerminal ? [] : Array(path[(lastReached + 1)...]))
            }
            let current = shown.firstIndex(of: claim.status) ?? 0
            return shown.enumerated().map { index, status in
                Step(label: status.label, state: index < current ? "done" : index == current ? "current" : "todo", isCurrent: index == current)
            }
        }
    }

    struct Answer: Sendable {
        let prompt: String
        let value: String
    }

    struct ContactLine: Sendable {
        let name: String
        let title: String
        let email: String
        let position: Int
    }

    struct CommentLine: Sendable {
        let at: String
        let author: String
        let side: String
        let body: String
    }

    /// One email to the customer and what became of it.
    struct LinkLine: Sendable {
        let text: String

        init(_ link: CustomerLinkRecord, now: Date, times: PageTimes) {
            let purpose = switch link.purpose {
            case .consent: "Consent request"
            case .notice: "Partner-of-record notice"
            case .survey: "Customer survey"
            }
            var text = "\(purpose) sent to \(link.contactName) <\(link.email)> on \(times.dateTime(link.createdAt))"
            if let at = link.answeredAt, let answer = link.answer {
                let verb = switch answer {
                case .accepted: "accepted"
                case .declined: "declined"
                case .revoked: "withdrawn"
                case .answered: "answered"
                }
                text += "; \(verb) on \(times.dateTime(at))\(link.answerAddress.map { " from \($0)" } ?? "")"
            } else if link.voidedAt != nil {
                text += "; replaced by a newer email"
            } else if link.purpose != .notice, link.expiresAt <= now {
                text += "; expired unanswered"
            } else if link.purpose != .notice {
                text += "; not answered yet (the link works until \(times.dateTime(link.expiresAt)))"
            }
            if let at = link.revokedAt {
                text += "; consent withdrawn on \(times.dateTime(at))\(link.revokeAddress.map { " from \($0)" } ?? "")"
            }
            self.text = text + "."
        }
    }

    struct HistoryLine: Sendable {
        let at: String
        let action: String
        let actor: String
        let side: String
        let from: String
        let to: String
        let note: String

        init(_ entry: ClaimHistoryEntry, times: PageTimes) {
            at = times.dateTime(entry.at)
            action = entry.action.label
            actor = entry.actor.role == .clock ? entry.actor.name : "\(entry.actor.name) (\(entry.actor.role.label))"
            side = entry.side.rawValue
            from = entry.from == entry.to ? "" : entry.from?.label ?? ""
            to = entry.to.label
            note = [entry.note, entry.address.map { "from \($0)" }].compactMap { $0 }.joined(separator: " ")
        }
    }
}

/// One question of a survey as a form field, with its answer so far.
struct SurveyField: Sendable {
    let id: String
    let prompt: String
    let value: String
    let required: Bool
    let error: String?
    let isText: Bool
    let isLongText: Bool
    let isDate: Bool
    let isYesNo: Bool
    let isRating: Bool
    let yes: Bool
    let no: Bool
    let ratings: [ListOption]

    init(_ q: SurveyQuestion, value: String, error: String?) {
        id = q.id
        prompt = q.prompt
        self.value = value
        required = q.required
        self.error = error
        isText = q.answer == .text
        isLongText = q.answer == .longText
        isDate = q.answer == .date
        isYesNo = q.answer == .yesNo
        isRating = q.answer == .rating
        yes = value == "yes"
        no = value == "no"
        ratings = (1...5).map { ListOption(value: String($0), label: String($0), selected: value == String($0)) }
    }
}
