import Foundation
import IncentivesDomain
import Yams

/// `customer_criteria:` in the catalogue file: a list of a string (the reviewer confirms it) or a map
/// `{check: no_approved_claim_within, months: 12, text: …}` (the program checks it).
extension Reader {
    /// Reads the list into the console form's input; a check the program doesn't make is a problem at its line.
    mutating func customerCriteria(_ m: Node.Mapping, into input: inout EngagementTermsInput) {
        var items: [String] = []
        for node in sequence(m["customer_criteria"], "customer_criteria") {
            switch node {
            case .scalar(let scalar): items.append(scalar.string)
            case .mapping(let c):
                let code = string(c, "check", required: true) ?? ""
                let months = number(c, "months", in: ProgramCheck.months, required: false)
                guard let check = ProgramCheck(code: code, months: months) else {
                    if !code.isEmpty {
                        let known = ProgramCheck.offered.map(\.code).joined(separator: ", ")
                        problem(c["check"]!, "`check`: \(code) is not a check the program makes (\(known)), or it needs its `months`.")
                    }
                    continue
                }
                input.customerChecks[check.code] = string(c, "text") ?? ""
                if let months = check.months { input.approvedWithinMonths = "\(months)" }
            default: problem(node, "Each item of `customer_criteria` is a text or a map with `check`.")
            }
        }
        input.customerCriteria = items.joined(separator: "\n")
    }
}

extension CatalogueFile {
    static func customerCriteriaNode(_ criteria: [CustomerCriterion]) -> Node {
        Node(criteria.map { criterion in
            guard let check = criterion.check else { return text(criterion.text) }
            var pairs: [(String, Node)] = [("check", Node(check.code))]
            if let months = check.months { pairs.append(("months", Node(String(months)))) }
            pairs.append(("text", text(criterion.text)))
            return map(pairs)
        })
    }
}
