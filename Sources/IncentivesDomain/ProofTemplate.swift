import Foundation

/// A proof-of-execution template as a plain text file the partner fills in: the sections the reviewer looks for, named
/// with the template's name and version from the engagement version. What partners download where the vendor uploaded
/// no file, and what the demo seeder uploads.
public struct ProofTemplate: Sendable {
    public let fileName: String
    public let text: String

    public init?(_ engagement: Engagement, kind: ProofRequirement.Kind, at instant: Date) {
        self.init(engagement, version: engagement.version(inForceAt: instant), kind: kind)
    }

    public init?(_ engagement: Engagement, version: EngagementVersion, kind: ProofRequirement.Kind) {
        guard let requirement = version.proofRequirements.first(where: { $0.kind == kind }),
              let name = requirement.templateName else { return nil }
        let templateVersion = requirement.templateVersion ?? "1.0"
        let slug = (name + " v" + templateVersion).lowercased().map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
        fileName = String(slug).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-") + ".txt"
        var lines = [
            "\(name) - version \(templateVersion)",
            "Engagement: \(engagement.name) (\(engagement.type.label), rules version \(version.number))",
            "Proof of execution: \(kind.label)",
            "",
            "What the reviewer checks: \(requirement.description)",
            "Fill in every section, have the customer sign, and upload the file to the claim.",
            "",
        ]
        let sections: [(String, String)]
        switch kind {
        case .invoice:
            sections = [("Invoice number and date", ""), ("Customer legal name and address", ""),
                        ("Services delivered", "One line per service, with dates and hours."), ("Total amount and currency", "")]
        case .findingsDocument:
            sections = [("Customer", "Legal name, domain or tenant id."),
                        ("Delivery", "Dates, place (on site or remote), partner delivery team."),
                        ("Customer attendees", "Name, title and email of each attendee."),
                        ("Current state", "What the customer runs today and the problem to solve."),
                        ("Findings", "What the \(engagement.type.label.lowercased()) found."),
                        ("Recommendations and next steps", "Each with an owner and a date."),
                        ("Customer sign-off", "Name, title, date and signature of the customer's decision maker.")]
        case .customerSurvey, .partnerSurvey:
            sections = [("Respondent", "Name, title, organization."), ("How the engagement went", "1 (poor) to 5 (excellent)."),
                        ("What was most useful", ""), ("What to improve", "")]
        }
        for (i, section) in sections.enumerated() {
            lines.append("\(i + 1). \(section.0)")
            if !section.1.isEmpty { lines.append("   \(section.1)") }
            lines.append("   ______________________________________________________________")
            lines.append("")
        }
        text = lines.joined(separator: "\n")
    }
}
