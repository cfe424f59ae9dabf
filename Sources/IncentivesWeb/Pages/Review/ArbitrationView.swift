import Foundation
import IncentivesDomain
import IncentivesStore

/// The arbitration page's view model: the competing claims on one subscription side by side, built from their files and
/// the page input (no database); the reviewer chooses the one that stands.
struct ArbitrationView: PageView {
    struct Side: Sendable {
        let id: Int64
        let version: Int
        let partner: String
        let location: String
        let status: String
        let tone: String
        let created: String
        let submitted: String
        let contacts: String
        let proof: String
        let history: Int
        let href: String
        /// Where the choice of this claim is sent.
        let action: String

        init(_ file: ClaimFile, times: PageTimes) {
            id = file.claim.id
            version = file.claim.version
            partner = file.organizationName
            location = file.location.name
            status = file.claim.status.label
            tone = file.claim.status.tone
            created = times.dateTime(file.claim.createdAt)
            submitted = file.claim.firstSubmittedAt.map(times.dateTime) ?? "Not yet"
            contacts = file.contacts.map { "\($0.name) <\($0.email)>" }.joined(separator: ", ")
            proof = file.proof.isEmpty ? "None" : file.proof.map { $0.fileName ?? $0.kind.label }.joined(separator: ", ")
            history = file.history.count
            href = SitePath.claim(.id(file.claim.id)).href()
            action = SitePath.arbitration(.id(file.claim.id)).href()
        }
    }

    let shell: Shell
    let customer: String
    let engagement: String
    let subscription: String
    let sides: [Side]
    let canDecide: Bool

    /// - Parameter files: the competing claims, at least one.
    init(_ files: [ClaimFile], input: PageInput) {
        let first = files.first
        shell = Shell(input, title: "Arbitration", section: .review, trail: [("Arbitration", nil)])
        customer = first?.customer.name ?? ""
        engagement = first?.engagement.name ?? ""
        subscription = first?.customer.subscriptionID ?? ""
        sides = files.map { Side($0, times: input.times) }
        canDecide = input.viewer?.vendorRole == .reviewer
    }
}
