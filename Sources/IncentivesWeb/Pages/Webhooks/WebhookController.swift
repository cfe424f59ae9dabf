import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/settings/webhooks`: a partner organization's Incentives admins (for the locations where they are Incentives
/// admin) and the vendor's program manager (for the vendor's own endpoints) register endpoints, see every delivery
/// with its attempts, send one again, send a test event, disable, rotate the secret and delete. The routes share a
/// group: `SectionGuard` checks the viewer once, and a `RecordResolver` loads the endpoint a
/// `/settings/webhooks/{id}` route names among the viewer's own: a partner admin sees the endpoints whose locations all
/// lie among theirs, and any other answers 404.
struct WebhookController: Sendable {
    let deps: AppDependencies
    let webhooks: WebhookRepository

    init(deps: AppDependencies) {
        self.deps = deps
        webhooks = deps.stores.webhooks
    }

    func register(on router: Router<AppRequestContext>) {
        let settings = router.group().add(middleware: SectionGuard(section: .webhooks))
        settings.get(SitePath.webhooks.pattern, use: list)
        settings.post(SitePath.webhooks.pattern, use: create)
        let endpoint = settings.group().add(middleware: RecordResolver(load: { [webhooks] id, viewer in
            try await webhooks.endpoint(id, of: WebhookOwner(viewer))
        }, keep: { $0.webhookEndpoint = $1 }))
        endpoint.get(SitePath.webhook(.key).pattern, use: show)
        endpoint.post(SitePath.webhookEnable(.key).pattern, use: enable)
        endpoint.post(SitePath.webhookDisable(.key).pattern, use: disable)
        endpoint.post(SitePath.webhookTest(.key).pattern, use: sendTest)
        endpoint.post(SitePath.webhookRotate(.key).pattern, use: rotateSecret)
        endpoint.get(SitePath.webhookDelete(.key).pattern, use: confirmDelete)
        endpoint.post(SitePath.webhookDelete(.key).pattern, use: delete)
        endpoint.get(SitePath.webhookDelivery(.key, delivery: .key).pattern, use: showDelivery)
        endpoint.post(SitePath.webhookResend(.key, delivery: .key).pattern, use: resend)
    }

    // MARK: List and add

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> HTML {
        try await listPage(context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let viewer = try context.signedIn
        let policy = deps.config.webhookAddressPolicy
        var form = WebhookEndpointForm(context.form, policy: policy, vendor: viewer.vendorRole != nil)
        if form.errors.isEmpty {
            do {
                let (endpoint, secret) = try await webhooks.create(url: form.url, description: form.description, events: form.events,
                                                                   owner: WebhookOwner(viewer), by: viewer.userID, policy: policy,
                                                                   now: deps.clock.now)
                return secretPage(endpoint, secret: secret, rotated: false, context)
            } catch StoreError.invalid(let field, let message) {
                form.errors[field] = message
            }
        }
        return try await listPage(context, form: form)
    }

    private func listPage(_ context: AppRequestContext, form: WebhookEndpointForm? = nil) async throws -> HTML {
        let owner = WebhookOwner(try context.signedIn)
        let endpoints = try await webhooks.endpoints(of: owner)
        let full = try await webhooks.count(of: owner) >= WebhookEndpointRules.maxEndpointsPerOwner
        let view = WebhookListView(endpoints, full: full, form: form, input: deps.pageInput(context))
        return deps.page("webhooks", view, status: view.formError ? .unprocessableContent : .ok)
    }

    /// The secret, shown this once: 201 after creating, 200 after a rotation.
    private func secretPage(_ endpoint: WebhookEndpoint, secret: String, rotated: Bool, _ context: AppRequestContext) -> HTML {
        deps.page("webhook-secret", WebhookSecretView(endpoint, secret: secret, rotated: rotated, input: deps.pageInput(context)),
                  status: rotated ? .ok : .created)
    }

    // MARK: One endpoint

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let endpoint = try context.resolved(\.webhookEndpoint)
        let before = request.uri.queryParameters.get("before").flatMap { Int64($0) }
        guard let page = try await webhooks.deliveries(of: endpoint.id, owner: owner(context), before: before, limit: 25) else {
            throw HTTPError(.notFound)
        }
        return deps.page("webhook", WebhookEndpointView(endpoint, deliveries: page, before: before, input: deps.pageInput(context)))
    }

    @Sendable func enable(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setEnabled(true, context)
    }

    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await setEnabled(false, context)
    }

    private func setEnabled(_ enabled: Bool, _ context: AppRequestContext) async throws -> Response {
        let endpoint = try context.resolved(\.webhookEndpoint)
        try await webhooks.setEnabled(endpoint.id, enabled, of: owner(context))
        let message = enabled ? "Endpoint enabled: waiting deliveries go out now."
            : "Endpoint disabled: new deliveries wait until you enable it again."
        return deps.redirect(to: SitePath.webhook(.id(endpoint.id)).href(), flash: Flash(kind: .success, message: message))
    }

    @Sendable func sendTest(_ request: Request, context: AppRequestContext) async throws -> Response {
        let endpoint = try context.resolved(\.webhookEndpoint)
        let owner = try owner(context)
        let delivery = try await limited { try await webhooks.sendTest(endpoint.id, owner: owner, now: deps.clock.now) }
        return deps.redirect(to: SitePath.webhookDelivery(.id(endpoint.id), delivery: .id(delivery)).href(),
                             flash: Flash(kind: .success, message: "Test event queued. \(Self.queuedNote(endpoint))"))
    }

    @Sendable func rotateSecret(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let endpoint = try context.resolved(\.webhookEndpoint)
        let owner = try owner(context)
        let secret = try await webhooks.rotateSecret(endpoint.id, of: owner, now: deps.clock.now)
        // Read again: the page says until when the previous secret signs too.
        guard let rotated = try await webhooks.endpoint(endpoint.id, of: owner) else { throw HTTPError(.notFound) }
        return secretPage(rotated, secret: secret, rotated: true, context)
    }

    @Sendable func confirmDelete(_ request: Request, context: AppRequestContext) async throws -> HTML {
        deps.page("webhook-delete", WebhookDeleteView(try context.resolved(\.webhookEndpoint), input: deps.pageInput(context)))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let endpoint = try context.resolved(\.webhookEndpoint)
        // The confirm page sends `confirm`; anything else deletes nothing.
        guard context.form.text("confirm") == "delete" else {
            throw HTTPError(.unprocessableContent, message: "Confirm the deletion on the endpoint's delete page.")
        }
        try await webhooks.delete(endpoint.id, of: owner(context))
        return deps.redirect(to: SitePath.webhooks.href(),
                             flash: Flash(kind: .success, message: "Endpoint \(endpoint.url) deleted, with its deliveries."))
    }

    // MARK: Deliveries

    @Sendable func showDelivery(_ request: Request, context: AppRequestContext) async throws -> HTML {
        let endpoint = try context.resolved(\.webhookEndpoint)
        guard let id = context.parameters.get("delivery", as: Int64.self),
              let detail = try await webhooks.delivery(id, of: endpoint.id, owner: owner(context)) else { throw HTTPError(.notFound) }
        return deps.page("webhook-delivery", WebhookDeliveryView(detail, of: endpoint, input: deps.pageInput(context)))
    }

    @Sendable func resend(_ request: Request, context: AppRequestContext) async throws -> Response {
        let endpoint = try context.resolved(\.webhookEndpoint)
        guard let delivery = context.parameters.get("delivery", as: Int64.self) else { throw HTTPError(.notFound) }
        let owner = try owner(context)
        try await limited { try await webhooks.sendAgain(delivery, of: endpoint.id, owner: owner, now: deps.clock.now) }
        return deps.redirect(to: SitePath.webhookDelivery(.id(endpoint.id), delivery: .id(delivery)).href(),
                             flash: Flash(kind: .success, message: "Delivery queued again. \(Self.queuedNote(endpoint))"))
    }

    // MARK: Pieces

    private func owner(_ context: AppRequestContext) throws -> WebhookOwner { WebhookOwner(try context.signedIn) }

    /// When a queued delivery goes out.
    private static func queuedNote(_ endpoint: WebhookEndpoint) -> String {
        endpoint.enabled ? "It goes out within seconds." : "The endpoint is disabled: it waits until you enable it."
    }

    /// A manual send past its limit answers 429 with when to try again.
    private func limited<T>(_ send: () async throws -> T) async throws -> T {
        do {
            return try await send()
        } catch let limit as WebhookSendLimited {
            throw HTTPError(.tooManyRequests, message: limit.message)
        }
    }
}
