import Foundation
import IncentivesDomain
import IncentivesStore

extension ClaimView {
    /// One customer criterion of the claim's pinned version: a program check with its result now (the vendor's view), or
    /// an item the reviewer confirms, with its confirmation once the claim is approved.
    struct CriterionLine: Sendable {
        let position: Int
        let text: String
        let decidedBy: String
        /// "Met" or "Not met" and why; nil when the viewer is not shown the result.
        let result: String?
        let met: Bool
        let confirmation: String?

        /// Every criterion of the version, numbered from 1 as the API and the CLI name them.
        static func lines(_ file: ClaimFile, now: Date, times: PageTimes) -> [CriterionLine] {
            var facts = file.criterionFacts
            facts?.now = now
            return file.version.customerCriteria.enumerated().map { index, criterion in
                let result = criterion.check.flatMap { check in facts.map { check.evaluate($0) } }
                let confirmation = file.confirmations.first { $0.position == index + 1 }
                return CriterionLine(position: index + 1, text: criterion.text, decidedBy: criterion.decidedBy,
                                     result: result.map { ($0.met ? "Met: " : "Not met: ") + $0.why }, met: result?.met ?? false,
                                     confirmation: confirmation.map { "Confirmed by \($0.byName) on \(times.date($0.at))" })
            }
        }
    }

    /// A checkbox of the approve form: a criterion the reviewer confirms.
    struct ChecklistBox: Sendable {
        let position: Int
        let text: String
        let checked: Bool

        /// The approve form's checklist; a refused form keeps what was ticked (`confirm`, positions joined by commas).
        static func boxes(_ file: ClaimFile, kept: String?) -> [ChecklistBox] {
            let ticked = Set((kept ?? "").split(separator: ",").map(String.init))
            return file.version.customerCriteria.reviewerItems.map { item in
                ChecklistBox(position: item.index + 1, text: item.criterion.text, checked: ticked.contains(String(item.index + 1)))
            }
        }
    }
}
