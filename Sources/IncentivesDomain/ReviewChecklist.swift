import Foundation

/// A criterion a reviewer confirmed with a claim's approval.
public struct CriterionConfirmation: Hashable, Sendable {
    /// The criterion's place in the version's customer criteria, from 1.
    public var position: Int
    public var text: String
    public var byName: String
    public var at: Date

    public init(position: Int, text: String, byName: String, at: Date) {
        self.position = position; self.text = text; self.byName = byName; self.at = at
    }
}

/// The reviewer's checklist refused an approval: an item not confirmed, or a confirmation that names no item.
public struct ChecklistRefusal: DomainRefusal, Hashable, Sendable {
    public var description: String
    public var refusalKind: RefusalKind { .notAllowed }
    public var refusedInput: String? { "confirm" }

    public init(_ description: String) { self.description = description }

    public static let bulk = ChecklistRefusal("Open the claim to confirm its checklist: its customer criteria need a reviewer's confirmation.")
}

extension ClaimActionRequest {
    /// The positions (from 1) of the reviewer-confirmed criteria an approval confirms: every one, or a refusal naming
    /// those left unchecked. A confirmation names an item by its position or its words. Other actions confirm nothing.
    public func confirmedPositions(of criteria: [CustomerCriterion]) throws(ChecklistRefusal) -> [Int] {
        let items = criteria.reviewerItems.map { (position: $0.index + 1, text: $0.criterion.text) }
        guard action == .approve, !items.isEmpty else { return [] }
        if confirmsAllCriteria { return items.map(\.position) }
        var chosen = Set<Int>()
        for name in confirmedCriteria {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if let item = items.first(where: { String($0.position) == trimmed || $0.text == trimmed }) {
                chosen.insert(item.position)
                continue
            }
            let shown = trimmed.unicodeScalars.count > 80 || trimmed.unicodeScalars.contains { $0.properties.generalCategory == .control }
                ? "A confirmation" : "“\(trimmed)”"
            throw ChecklistRefusal("\(shown) is not an item of this claim's checklist; nothing was changed.")
        }
        let missing = items.filter { !chosen.contains($0.position) }
        guard missing.isEmpty else {
            throw ChecklistRefusal("Confirm every customer criterion before approving. Not confirmed: "
                + missing.map { "\($0.position). \($0.text)" }.joined(separator: "; ") + ". Nothing was changed.")
        }
        return items.map(\.position)
    }
}
