import CompressNIO
import NIOCore

/// Raw DEFLATE (RFC 1951 without a zlib or gzip header: what a ZIP entry of method 8 holds) through zlib, by
/// compress-nio, one stream at a time. Input is compressed as it is given and the output handed on in pieces of at
/// most `windowSize` bytes, so the memory it holds is zlib's fixed state plus two bounded buffers, whatever the length
/// of the stream.
final class RawDeflate {
    /// The most compressed bytes held before they are handed on.
    static let windowSize = 1 << 16
    /// The most input bytes copied in at once.
    static let inputSize = 1 << 16

    private let compressor: ZlibCompressor
    private var input: ByteBuffer
    private var window: ByteBuffer

    init() {
        do {
            // Level 1, 32 KiB history: an XLSX sheet's repeated XML still shrinks about sevenfold (level 6, zlib's default:
            // tenfold) at several times the speed, which is what bounds a large export.
            compressor = try ZlibCompressor(algorithm: .deflate, configuration: ZlibConfiguration(windowSize: 15, compressionLevel: 1))
        } catch {
            // Only zlib's allocation can fail here; no input is involved.
            fatalError("zlib could not start a deflate stream: \(error)")
        }
        let allocator = ByteBufferAllocator()
        input = allocator.buffer(capacity: Self.inputSize)
        window = allocator.buffer(capacity: Self.windowSize)
    }

    /// The capacity of the buffers it holds (input and output), which never grow: what the memory tests check.
    var bufferCapacity: Int { input.capacity + window.capacity }

    /// Starts a new stream: the next bytes compress as if none had come before.
    func reset() {
        run { try compressor.reset() }
        window.clear()
    }

    /// Compresses `bytes`, calling `emit` with each full window of output.
    func compress(_ bytes: UnsafeRawBufferPointer, emit: (ByteBufferView) -> Void) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let piece = rest.prefix(Self.inputSize)
            rest = rest.dropFirst(piece.count)
            input.clear()
            input.writeBytes(UnsafeRawBufferPointer(rebasing: piece))
            run { try input.compressStream(with: compressor, window: &window, flush: .no) { emit($0.readableBytesView) } }
        }
    }

    /// Ends the stream (its last block), calling `emit` with everything still held.
    func finish(emit: (ByteBufferView) -> Void) {
        // zlib needs an input buffer even with nothing left in it.
        input.clear()
        run { try input.compressStream(with: compressor, window: &window, flush: .finish) { emit($0.readableBytesView) } }
        window.clear()
    }

    /// zlib fails only without memory or when misused, never because of the bytes given: a bug, not an input error.
    private func run(_ body: () throws -> Void) {
        do { try body() } catch { fatalError("zlib deflate failed: \(error)") }
    }
}
