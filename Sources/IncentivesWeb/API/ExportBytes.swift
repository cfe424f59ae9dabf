import OpenAPIRuntime

/// An export's bytes as the API answers them: made by a task of their own and handed to the response as it is sent.
enum ExportBytes {
    /// The body `write` makes, chunk by chunk.
    static func body(_ write: @escaping @Sendable (_ send: @escaping @Sendable ([UInt8]) async throws -> Void) async throws -> Void) -> HTTPBody {
        let (stream, continuation) = AsyncThrowingStream<ArraySlice<UInt8>, any Error>.makeStream()
        let task = Task {
            do {
                try await write { continuation.yield(ArraySlice($0)) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return HTTPBody(stream, length: .unknown, iterationBehavior: .single)
    }
}
