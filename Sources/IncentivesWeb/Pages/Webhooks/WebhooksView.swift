import Foundation
import IncentivesDomain
import IncentivesStore

/// The webhooks page: the owner's endpoints and the form that adds one (sent back with what was wrong, or replaced by
/// a message once the owner has as many as allowed). Built from the store's values and the page input only.
struct WebhookListView: PageView {
    struct EventChoice: Sendable {
        let value: String
        let label: String
        let checked: Bool
        let inputID: String
    }

    let shell: Shell
    let owner: String
    /// Which locations a new endpoint takes the events of.
    let scope: String
    let endpoints: [WebhookEndpointLine]
    let hasEndpoints: Bool
    /// The owner has as many endpoints as allowed: the form is replaced by this message.
    let limitReached: String?
    let url: String
    let description: String
    let choices: [EventChoice]
    let urlError: String?
    let descriptionError: String?
    let eventsError: String?
    /// A refusal that concerns no one field.
    let formMessage: String?
    let formError: Bool
    let addAction: String

    /// - Parameters:
    ///   - full: the owner holds `WebhookEndpointRules.maxEndpointsPerOwner` endpoints.
    ///   - form: the add form sent back.
    init(_ endpoints: [WebhookEndpoint], full: Bool, form: WebhookEndpointForm? = nil, input: PageInput) {
        let errors = form?.errors ?? [:]
        let ticked = form?.ticked ?? [WebhookEventType.claimStatusChanged.rawValue]
        let isPartner = input.viewer?.vendorRole == nil
        let count = input.viewer?.webhookLocations.count ?? 0
        shell = Shell(input, title: "Webhooks", section: .webhooks)
        owner = isPartner ? input.viewer?.organizationName ?? "" : "the vendor (events of every organization)"
        scope = isPartner
            ? "An endpoint you add receives the events of claims at the \(count) location\(count == 1 ? "" : "s") where you are Incentives admin, "
                + "for as long as you are. You see the endpoints whose locations are all yours."
            : "An endpoint you add receives the events of every organization's claims."
        self.endpoints = endpoints.map(WebhookEndpointLine.init)
        hasEndpoints = !endpoints.isEmpty
        limitReached = full && form == nil ? WebhookEndpointRules.tooManyEndpoints : nil
        url = form?.url ?? ""
        description = form?.description ?? ""
        choices = WebhookEventType.subscribable(vendor: !isPartner).map {
            EventChoice(value: $0.rawValue, label: $0.label, checked: ticked.contains($0.rawValue),
                        inputID: "event-" + $0.rawValue.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-"))
        }
        urlError = errors["url"]
        descriptionError = errors["description"]
        eventsError = errors["events"]
        formMessage = errors["form"]
        formError = !errors.isEmpty
        addAction = SitePath.webhooks.href()
    }
}

/// An endpoint's signing secret, shown this once: after adding the endpoint, or after rotating its secret.
struct WebhookSecretView: PageView {
    let shell: Shell
    let endpoint: WebhookEndpointLine
    let secret: String
    let rotated: Bool
    let previousUntil: String?
    let listHref: String

    init(_ endpoint: WebhookEndpoint, secret: String, rotated: Bool, input: PageInput) {
        let line = WebhookEndpointLine(endpoint)
        shell = Shell(input, title: rotated ? "New signing secret" : "Endpoint added", section: .webhooks,
                      trail: [(endpoint.url, line.href), (rotated ? "New secret" : "Secret", nil)])
        self.endpoint = line
        self.secret = secret
        self.rotated = rotated
        previousUntil = endpoint.previousSecretUntil.map(input.times.dateTime)
        listHref = SitePath.webhooks.href()
    }
}

/// An endpoint in a line, with where its page and forms are.
struct WebhookEndpointLine: Sendable {
    /// Where the endpoint page's forms post (and the delete page is).
    struct Forms: Sendable {
        let test: String
        let enable: String
        let disable: String
        let rotate: String
        let delete: String

        init(_ id: Int64) {
            test = SitePath.webhookTest(.id(id)).href()
            enable = SitePath.webhookEnable(.id(id)).href()
            disable = SitePath.webhookDisable(.id(id)).href()
            rotate = SitePath.webhookRotate(.id(id)).href()
            delete = SitePath.webhookDelete(.id(id)).href()
        }
    }

    let url: String
    let description: String
    let events: String
    let enabled: Bool
    let lastStatus: String?
    let lastStatusClass: String
    /// Whose events it takes: location names, or every organization's for the vendor's.
    let locations: String
    let href: String
    let forms: Forms

    init(_ endpoint: WebhookEndpoint) {
        url = endpoint.url
        description = endpoint.description
        events = endpoint.events.map(\.rawValue).joined(separator: ", ")
        enabled = endpoint.enabled
        lastStatus = endpoint.lastStatus?.label
        lastStatusClass = Self.badge(endpoint.lastStatus)
        locations = endpoint.organizationID == nil ? "Every organization's"
            : endpoint.locations.isEmpty ? "None (no location is left to it)" : endpoint.locations.joined(separator: ", ")
        href = SitePath.webhook(.id(endpoint.id)).href()
        forms = Forms(endpoint.id)
    }

    static func badge(_ status: WebhookDeliveryStatus?) -> String {
        switch status {
        case .delivered: "badge-success"
        case .failed: "badge-danger"
        case .pending: "badge-progress"
        case nil: "badge-muted"
        }
    }
}
