import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/settings/webhooks`: a partner organization's Incentives admins (for the locations where they are Incentives
/// admin) and the vendor's program manager (for the vendor's own endpoints) register endpoints, see every delivery
/// with its attempts, send one again, send a test event, disable, rotate the secret and delete. A partner admin sees
/// the endpoints whose locations all lie among theirs; any other answers 404.
struct WebhookPages: Sendable {
    let deps: AppDependencies

    var webhooks: WebhookRepository { WebhookRepository(db: deps.db) }

    struct EventChoice: Sendable { let value: String; let label: String; let checked: Bool; let inputID: String }
    struct EndpointLine: Sendable {
        let id: Int64; let url: String; let description: String; let events: String; let enabled: Bool
        let lastStatus: String?; let lastStatusClass: String
        /// Whose events it takes: location names, or every organization's for the vendor's.
        let locations: String
    }
    struct ListView: PageView {
        let shell: Shell
        let owner: String
        /// Which locations a new endpoint takes the events of.
        let scope: String
        let endpoints: [EndpointLine]
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
    }
    struct SecretView: PageView {
        let shell: Shell
        let endpoint: EndpointLine
        let secret: String
        let rotated: Bool
        let previousUntil: String?
    }
    struct DeliveryLine: Sendable {
        let id: Int64; let endpointID: Int64; let eventID: String; let type: String; let status: String; let statusClass: String
        let attempts: Int; let created: String; let lastAttempt: String?; let next: String?
    }
    struct EndpointView: PageView {
        let shell: Shell
        let endpoint: EndpointLine
        let created: String
        let previousUntil: String?
        let deliveries: [DeliveryLine]
        let hasDeliveries: Bool
        let newestHref: String?
        let olderHref: String?
    }
    struct AttemptLine: Sendable {
        let number: Int; let at: String; let result: String; let ok: Bool; let duration: Int; let excerpt: String?
    }
    struct DeliveryView: PageView {
        let shell: Shell
        let endpoint: EndpointLine
        let delivery: DeliveryLine
        let payload: String
        let attempts: [AttemptLine]
        let hasAttempts: Bool
    }
    struct DeleteView: PageView {
        let shell: Shell
        let endpoint: EndpointLine
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/settings/webhooks") { request, context in
            let viewer = try context.viewer(for: .webhooks, request)
            return try await list(viewer, context, form: nil)
        }
        router.post("/settings/webhooks") { request, context -> Response in
            let viewer = try context.viewer(for: .webhooks, request)
            return try await create(viewer, request, context)
        }
        router.get("/settings/webhooks/{id}") { request, context in
            let viewer = try context.viewer(for: .webhooks, request)
            return try await endpointPage(viewer, request, context)
        }
        router.post("/settings/webhooks/{id}/enable") { request, context -> Response in
            try await setEnabled(true, request, context)
        }
        router.post("/settings/webhooks/{id}/disable") { request, context -> Response in
            try await setEnabled(false, request, context)
        }
        router.post("/settings/webhooks/{id}/test") { request, context -> Response in
            let viewer = try context.viewer(for: .webhooks, request)
            let endpoint = try await endpoint(context, of: viewer)
            let delivery = try await limited { try await webhooks.sendTest(endpoint.id, owner: owner(of: viewer), now: deps.clock.now) }
            let note = endpoint.enabled ? "It goes out within seconds." : "The endpoint is disabled: it waits until you enable it."
            return deps.redirect(to: "/settings/webhooks/\(endpoint.id)/deliveries/\(delivery)",
                                 flash: Flash(kind: .success, message: "Test event queued. \(note)"))
        }
        router.post("/settings/webhooks/{id}/rotate") { request, context -> Response in
            let viewer = try context.viewer(for: .webhooks, request)
            let endpoint = try await endpoint(context, of: viewer)
            let secret = try await webhooks.rotateSecret(endpoint.id, of: owner(of: viewer), now: deps.clock.now)
            let rotated = try await self.endpoint(context, of: viewer)
            return try secretPage(rotated, secret: secret, rotated: true, viewer: viewer, context).response(from: request, context: context)
        }
        router.get("/settings/webhooks/{id}/delete") { request, context in
            let viewer = try context.viewer(for: .webhooks, request)
            let endpoint = try await endpoint(context, of: viewer)
            return deps.page("webhook-delete", DeleteView(
                shell: Shell(context, deps: deps, title: "Delete endpoint", section: .webhooks,
                             trail: [(endpoint.url, "/settings/webhooks/\(endpoint.id)"), ("Delete", nil)]),
                endpoint: line(endpoint)))
        }
        router.post("/settings/webhooks/{id}/delete") { request, context -> Response in
            let viewer = try context.viewer(for: .webhooks, request)
            let endpoint = try await endpoint(context, of: viewer)
            // The confirm page sends `confirm`; anything else deletes nothing.
            guard context.form.text("confirm") == "delete" else {
                throw HTTPError(.unprocessableContent, message: "Confirm the deletion on the endpoint's delete page.")
            }
            try await webhooks.delete(endpoint.id, of: owner(of: viewer))
            return deps.redirect(to: "/settings/webhooks", flash: Flash(kind: .success, message: "Endpoint \(endpoint.url) deleted, with its deliveries."))
        }
        router.get("/settings/webhooks/{id}/deliveries/{delivery}") { request, context in
            let viewer = try context.viewer(for: .webhooks, request)
            return try await deliveryPage(viewer, request, context)
        }
        router.post("/settings/webhooks/{id}/deliveries/{delivery}/resend") { request, context -> Response in
            let viewer = try context.viewer(for: .webhooks, request)
            let endpoint = try await endpoint(context, of: viewer)
            guard let delivery = context.parameters.get("delivery", as: Int64.self) else { throw HTTPError(.notFound) }
            try await limited { try await webhooks.sendAgain(delivery, of: endpoint.id, owner: owner(of: viewer), now: deps.clock.now) }
            let note = endpoint.enabled ? "It goes out within seconds." : "The endpoint is disabled: it waits until you enable it."
            return deps.redirect(to: "/settings/webhooks/\(endpoint.id)/deliveries/\(delivery)",
                                 flash: Flash(kind: .success, message: "Delivery queued again. \(note)"))
        }
    }

    func owner(of viewer: Viewer) -> WebhookOwner { WebhookOwner(viewer) }

    /// A manual send past its limit answers 429 with when to try again.
    func limited<T>(_ send: () async throws -> T) async throws -> T {
        do {
            return try await send()
        } catch let limit as WebhookSendLimited {
            throw HTTPError(.tooManyRequests, message: limit.message)
        }
    }

    func endpoint(_ context: AppRequestContext, of viewer: Viewer) async throws -> WebhookEndpoint {
        guard let id = context.parameters.get("id", as: Int64.self),
              let endpoint = try await webhooks.endpoint(id, of: owner(of: viewer)) else { throw HTTPError(.notFound) }
        return endpoint
    }

    func line(_ endpoint: WebhookEndpoint) -> EndpointLine {
        EndpointLine(id: endpoint.id, url: endpoint.url, description: endpoint.description,
                     events: endpoint.events.map(\.rawValue).joined(separator: ", "), enabled: endpoint.enabled,
                     lastStatus: endpoint.lastStatus?.label, lastStatusClass: Self.badge(endpoint.lastStatus),
                     locations: endpoint.organizationID == nil ? "Every organization's"
                        : endpoint.locations.isEmpty ? "None (no location is left to it)" : endpoint.locations.joined(separator: ", "))
    }

    static func badge(_ status: WebhookDeliveryStatus?) -> String {
        switch status {
        case .delivered: "badge-success"
        case .failed: "badge-danger"
        case .pending: "badge-progress"
        case nil: "badge-muted"
        }
    }

    // MARK: List and add

    func list(_ viewer: Viewer, _ context: AppRequestContext,
              form: (url: String, description: String, events: Set<String>, errors: [String: String])?) async throws -> HTML {
        let owner = owner(of: viewer)
        let endpoints = try await webhooks.endpoints(of: owner).map(line)
        let full = try await webhooks.count(of: owner) >= WebhookEndpointRules.maxEndpointsPerOwner
        let errors = form?.errors ?? [:]
        let checked = form?.events ?? Set([WebhookEventType.claimStatusChanged.rawValue])
        let count = viewer.webhookLocations.count
        return deps.page("webhooks", ListView(
            shell: Shell(context, deps: deps, title: "Webhooks", section: .webhooks),
            owner: viewer.vendorRole == nil ? viewer.organizationName : "the vendor (events of every organization)",
            scope: viewer.vendorRole == nil
                ? "An endpoint you add receives the events of claims at the \(count) location\(count == 1 ? "" : "s") where you are Incentives admin, "
                    + "for as long as you are. You see the endpoints whose locations are all yours."
                : "An endpoint you add receives the events of every organization's claims.",
            endpoints: endpoints, hasEndpoints: !endpoints.isEmpty, limitReached: full && form == nil ? WebhookEndpointRules.tooManyEndpoints : nil,
            url: form?.url ?? "", description: form?.description ?? "",
            choices: WebhookEventType.subscribable.map {
                EventChoice(value: $0.rawValue, label: $0.label, checked: checked.contains($0.rawValue),
                            inputID: "event-" + $0.rawValue.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-"))
            },
            urlError: errors["url"], descriptionError: errors["description"], eventsError: errors["events"], formMessage: errors["form"],
            formError: !errors.isEmpty),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    func create(_ viewer: Viewer, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let url = context.form.text("url"), description = context.form.text("description")
        let values = context.form.all("event")
        var errors: [String: String] = [:]
        if let problem = WebhookEndpointRules.problem(withURL: url, policy: deps.config.webhookAddressPolicy) { errors["url"] = problem }
        if let problem = WebhookEndpointRules.problem(withDescription: description) { errors["description"] = problem }
        var events: Set<WebhookEventType> = []
        switch WebhookEndpointRules.events(from: values) {
        case .success(let chosen): events = chosen
        case .failure(let problem): errors["events"] = problem.message
        }
        if errors.isEmpty {
            do {
                let (endpoint, secret) = try await webhooks.create(url: url, description: description, events: events,
                                                                   owner: owner(of: viewer), by: viewer.userID,
                                                                   policy: deps.config.webhookAddressPolicy, now: deps.clock.now)
                return try secretPage(endpoint, secret: secret, rotated: false, viewer: viewer, context).response(from: request, context: context)
            } catch StoreError.invalid(let field, let message) {
                errors[field] = message
            }
        }
        return try await list(viewer, context, form: (url, description, Set(values), errors)).response(from: request, context: context)
    }

    /// The secret, shown this once: 201 after creating, 200 after a rotation.
    func secretPage(_ endpoint: WebhookEndpoint, secret: String, rotated: Bool, viewer: Viewer, _ context: AppRequestContext) throws -> HTML {
        deps.page("webhook-secret", SecretView(
            shell: Shell(context, deps: deps, title: rotated ? "New signing secret" : "Endpoint added", section: .webhooks,
                         trail: [(endpoint.url, "/settings/webhooks/\(endpoint.id)"), (rotated ? "New secret" : "Secret", nil)]),
            endpoint: line(endpoint), secret: secret, rotated: rotated,
            previousUntil: endpoint.previousSecretUntil.map { deps.format($0, for: viewer) }),
            status: rotated ? .ok : .created)
    }

    // MARK: One endpoint

    func setEnabled(_ enabled: Bool, _ request: Request, _ context: AppRequestContext) async throws -> Response {
        let viewer = try context.viewer(for: .webhooks, request)
        let endpoint = try await endpoint(context, of: viewer)
        try await webhooks.setEnabled(endpoint.id, enabled, of: owner(of: viewer))
        let message = enabled ? "Endpoint enabled: waiting deliveries go out now." : "Endpoint disabled: new deliveries wait until you enable it again."
        return deps.redirect(to: "/settings/webhooks/\(endpoint.id)", flash: Flash(kind: .success, message: message))
    }

    func endpointPage(_ viewer: Viewer, _ request: Request, _ context: AppRequestContext) async throws -> HTML {
        let endpoint = try await endpoint(context, of: viewer)
        let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
        guard let page = try await webhooks.deliveries(of: endpoint.id, owner: owner(of: viewer), before: before, limit: 25) else {
            throw HTTPError(.notFound)
        }
        return deps.page("webhook", EndpointView(
            shell: Shell(context, deps: deps, title: endpoint.url, section: .webhooks, trail: [(endpoint.url, nil)]),
            endpoint: line(endpoint), created: deps.format(endpoint.createdAt, for: viewer),
            previousUntil: endpoint.previousSecretUntil.flatMap { $0 > deps.clock.now ? deps.format($0, for: viewer) : nil },
            deliveries: page.deliveries.map { deliveryLine($0, viewer: viewer) }, hasDeliveries: !page.deliveries.isEmpty,
            newestHref: before == nil ? nil : "/settings/webhooks/\(endpoint.id)",
            olderHref: page.nextBefore.map { "/settings/webhooks/\(endpoint.id)?before=\($0)" }))
    }

    func deliveryLine(_ d: WebhookDeliveryRecord, viewer: Viewer) -> DeliveryLine {
        DeliveryLine(id: d.id, endpointID: d.endpointID, eventID: d.eventPublicID, type: d.type, status: d.status.label,
                     statusClass: Self.badge(d.status), attempts: d.attempts, created: deps.format(d.createdAt, for: viewer),
                     lastAttempt: d.lastAttemptAt.map { deps.format($0, for: viewer) },
                     next: d.status == .pending ? deps.format(d.nextAttemptAt, for: viewer) : nil)
    }

    func deliveryPage(_ viewer: Viewer, _ request: Request, _ context: AppRequestContext) async throws -> HTML {
        let endpoint = try await endpoint(context, of: viewer)
        guard let id = context.parameters.get("delivery", as: Int64.self),
              let detail = try await webhooks.delivery(id, of: endpoint.id, owner: owner(of: viewer)) else { throw HTTPError(.notFound) }
        let attempts = detail.attempts.enumerated().map { i, a in
            AttemptLine(number: i + 1, at: deps.format(a.at, for: viewer),
                        result: a.httpStatus.map { "HTTP \($0)" } ?? (a.error ?? "No answer"),
                        ok: a.httpStatus.map { (200..<300).contains($0) } ?? false, duration: a.durationMS,
                        excerpt: a.responseExcerpt.flatMap { $0.isEmpty ? nil : $0 })
        }
        return deps.page("webhook-delivery", DeliveryView(
            shell: Shell(context, deps: deps, title: "Delivery \(detail.delivery.eventPublicID)", section: .webhooks,
                         trail: [(endpoint.url, "/settings/webhooks/\(endpoint.id)"), (detail.delivery.type, nil)]),
            endpoint: line(endpoint), delivery: deliveryLine(detail.delivery, viewer: viewer), payload: Self.pretty(detail.payload),
            attempts: attempts, hasAttempts: !attempts.isEmpty))
    }

    /// The payload indented for reading (the receiver gets the compact bytes the signature covers).
    static func pretty(_ payload: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return payload
        }
        return String(decoding: data, as: UTF8.self)
    }
}
