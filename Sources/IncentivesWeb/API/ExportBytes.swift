import AsyncAlgorithms
import OpenAPIRuntime

/// An export's bytes as the API answers them. A task of their own makes them and hands each chunk over only when the
/// client's side takes it (`AsyncThrowingChannel`: a send waits for its reader), so a slow client slows the database
/// reads down instead of the server holding the rest of the file, as the page route's `ResponseBody` writer does. The
/// task is cancelled once nothing holds the answer any more: read to its end, or cut off.
enum ExportBytes {
    /// The body `write` makes, chunk by chunk.
    static func body(_ write: @escaping @Sendable (_ send: @escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void) -> HTTPBody {
        let channel = AsyncThrowingChannel<ArraySlice<UInt8>, any Error>()
        let maker = Maker(Task {
            do {
                try await write { bytes in
                    // A send returns at once when the task was cancelled: stop before making more.
                    try Task.checkCancellation()
                    await channel.send(ArraySlice(bytes))
                }
                channel.finish()
            } catch {
                channel.fail(error)
            }
        })
        return HTTPBody(Chunks(channel: channel, maker: maker), length: .unknown, iterationBehavior: .single)
    }

    /// Cancels the task making the chunks when the last holder of the answer lets go of it.
    final class Maker: Sendable {
        let task: Task<Void, Never>
        init(_ task: Task<Void, Never>) { self.task = task }
        deinit { task.cancel() }
    }

    /// The channel's chunks, holding on to their maker while anyone reads them.
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ArraySlice<UInt8>
        let channel: AsyncThrowingChannel<ArraySlice<UInt8>, any Error>
        let maker: Maker

        struct AsyncIterator: AsyncIteratorProtocol {
            var base: AsyncThrowingChannel<ArraySlice<UInt8>, any Error>.Iterator
            let maker: Maker
            mutating func next() async throws -> ArraySlice<UInt8>? { try await base.next() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: channel.makeAsyncIterator(), maker: maker) }
    }
}
