import Foundation
import IncentivesDomain

/// The add-endpoint form: the values as typed, the events chosen, and what the domain's rules find wrong with them.
struct WebhookEndpointForm: Sendable {
    var url: String
    var description: String
    /// The event boxes ticked, to tick them again on a page sent back.
    var ticked: Set<String>
    var events: Set<WebhookEventType> = []
    /// By field (`url`, `description`, `events`), or `form` for a refusal that concerns no one field.
    var errors: [String: String] = [:]

    init(_ form: FormFields, policy: WebhookAddressPolicy, vendor: Bool) {
        url = form.text("url")
        description = form.text("description")
        let values = form.all("event")
        ticked = Set(values)
        if let problem = WebhookEndpointRules.problem(withURL: url, policy: policy) { errors["url"] = problem }
        if let problem = WebhookEndpointRules.problem(withDescription: description) { errors["description"] = problem }
        switch WebhookEndpointRules.events(from: values, vendor: vendor) {
        case .success(let chosen): events = chosen
        case .failure(let problem): errors["events"] = problem.message
        }
    }
}
