import NIOCore
import PostgresNIO
import SQLKit

/// A PostgreSQL connection's statements, each of which is answered or fails: none waits forever.
///
/// postgres-nio 1.33 hands a statement to its connection by writing it to the network channel without asking to hear
/// whether the write arrived. When the server has just ended the connection (a shutdown, a restart, a terminated
/// backend) and the channel closed before the write ran, the statement is dropped where nobody sees it, and whoever
/// awaits its answer waits forever. The pool can lend such a connection in the instant before it learns of the close:
/// under load while PostgreSQL stopped, about one request in 500 hung that way and was never answered.
///
/// So each statement is followed, on the connection's own event loop, by a look at the channel. The loop runs its tasks
/// in order, so by then the write has either reached the connection, which answers it or fails it as it closes, or
/// found the channel closed and been dropped. Only in the second case is the connection closed at the look; then,
/// after a short grace in which the connection's own failure would have come, the statement fails as unreachable (a
/// 503). Answers that come first win; a later failure of an answered statement is ignored.
struct ClosedConnectionGuard: WrappedSQLDatabase {
    let base: any SQLDatabase
    let connection: PostgresConnection

    /// Longer than a closing connection takes to fail what it holds; short next to a request.
    static let grace: TimeAmount = .milliseconds(500)

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        let loop = connection.eventLoop
        let answered = loop.makePromise(of: Void.self)
        // First: the statement's own write runs in a task on the connection's loop, queued now.
        base.execute(sql: query, onRow).cascade(to: answered)
        let connection = self.connection
        loop.execute {
            guard connection.isClosed else { return }
            loop.scheduleTask(in: Self.grace) {
                answered.fail(StoreError.unreachable("The database closed the connection before answering."))
            }
        }
        return answered.futureResult
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await execute(sql: query, onRow).get()
    }
}
