import ServiceLifecycle

/// The beat of a service that works through a leased queue (mail, webhooks): a pass, and while a pass fills a
/// whole batch, the next pass at once (a sweep can write thousands of reminders); a short or failing pass waits
/// `interval`. Ends on graceful shutdown or cancellation.
enum DrainLoop {
    static func run(batch: Int, interval: Duration, pass: () async -> Int) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            while await pass() >= batch && !Task.isShuttingDownGracefully && !Task.isCancelled {}
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
