import CompressNIO
import Foundation
import NIOCore

/// A ZIP archive written front to back in one pass, for files too large to hold in memory: each entry's
/// size and CRC-32 are counted while its bytes go out and are written after them, in a data descriptor
/// (APPNOTE 4.3.9) and in the central directory at the end. The caller drains `output` as it grows.
///
/// Entries are compressed (method 8, raw DEFLATE through zlib, `RawDeflate`) as they are written: each write is
/// deflated at once and its output leaves in pieces of at most `RawDeflate.windowSize`, so memory stays flat
/// however long an entry is. A deflate stream also marks its own end, which a reader that walks local headers
/// without the central directory (Java's ZipInputStream, some upload scanners) needs when sizes come after the data.
///
/// ZIP64 records are written only where a value does not fit ZIP's 32-bit or 16-bit fields (an entry or an
/// offset of 4 GiB or more, more than 65,535 entries), so ordinary archives stay readable by old tools and
/// large ones are never silently truncated.
struct ZipStream {
    /// Bytes written and not yet taken by the caller.
    private(set) var output: [UInt8] = []

    /// Where ZIP's small fields overflow into ZIP64; lowered only by tests, to reach those paths cheaply.
    struct Limits {
        var uint32 = UInt64(UInt32.max)
        var entries = Int(UInt16.max)
    }
    let limits: Limits

    private struct Entry {
        var name: [UInt8]
        var offset: UInt64
        var crc: UInt32
        var compressed: UInt64
        var uncompressed: UInt64
    }
    private var entries: [Entry] = []
    private var current: Entry?
    /// One zlib stream, reset for each entry.
    private let deflate = RawDeflate()
    private var crc = CRC32()
    /// Bytes of the archive so far, output already taken included.
    private var written: UInt64 = 0
    private let time: UInt16, date: UInt16

    init(modified: Date, limits: Limits = Limits()) {
        self.limits = limits
        (time, date) = Self.dosTime(modified)
        output.reserveCapacity(1 << 17)
    }

    /// The capacity of every buffer it holds: bounded while the caller takes `output` as it grows.
    var bufferCapacity: Int { output.capacity + deflate.bufferCapacity }

    /// Hands over the bytes written so far.
    mutating func take() -> [UInt8] {
        defer { output.removeAll(keepingCapacity: true) }
        return output
    }

    mutating func startEntry(_ name: String) {
        precondition(current == nil, "ZipStream: an entry is already open")
        let nameBytes = Array(name.utf8)
        current = Entry(name: nameBytes, offset: written, crc: 0, compressed: 0, uncompressed: 0)
        crc = CRC32()
        deflate.reset()
        put32(0x0403_4b50)
        put16(20)                 // version needed: 2.0, deflate
        put16(0x0808)             // bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8
        put16(8)                  // deflate
        put16(time); put16(date)
        put32(0); put32(0); put32(0) // CRC and sizes: in the data descriptor
        put16(UInt16(nameBytes.count)); put16(0)
        put(nameBytes)
    }

    mutating func write(_ bytes: some Collection<UInt8>) {
        precondition(current != nil, "ZipStream: no open entry")
        if bytes.withContiguousStorageIfAvailable({ compress(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { compress($0) }
        }
    }

    mutating func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0) }
    }

    mutating func endEntry() {
        precondition(current != nil, "ZipStream: no open entry")
        let deflate = self.deflate
        deflate.finish { emit($0) }
        guard var entry = current else { preconditionFailure("ZipStream: no open entry") }
        entry.crc = crc.value
        current = nil
        put32(0x0807_4b50)
        put32(entry.crc)
        // 8-byte sizes only when they need them (APPNOTE 4.3.9.2), as Java's ZipOutputStream writes them.
        if entry.compressed >= limits.uint32 || entry.uncompressed >= limits.uint32 {
            put64(entry.compressed); put64(entry.uncompressed)
        } else {
            put32(UInt32(entry.compressed)); put32(UInt32(entry.uncompressed))
        }
        entries.append(entry)
    }

    /// Writes the central directory and the end records; the archive is complete once `output` is taken.
    mutating func finish() {
        precondition(current == nil, "ZipStream: an entry is still open")
        let directoryStart = written
        for entry in entries {
            var extra: [UInt64] = []
            // ZIP64 extended information (APPNOTE 4.5.3): only the overflowing fields, in this order.
            if entry.uncompressed >= limits.uint32 { extra.append(entry.uncompressed) }
            if entry.compressed >= limits.uint32 { extra.append(entry.compressed) }
            if entry.offset >= limits.uint32 { extra.append(entry.offset) }
            put32(0x0201_4b50)
            put16(extra.isEmpty ? 20 : 45); put16(extra.isEmpty ? 20 : 45)
            put16(0x0808); put16(8); put16(time); put16(date)
            put32(entry.crc)
            put32(entry.compressed >= limits.uint32 ? .max : UInt32(entry.compressed))
            put32(entry.uncompressed >= limits.uint32 ? .max : UInt32(entry.uncompressed))
            put16(UInt16(entry.name.count)); put16(extra.isEmpty ? 0 : UInt16(4 + 8 * extra.count)); put16(0)
            put16(0); put16(0); put32(0)     // disk, internal and external attributes
            put32(entry.offset >= limits.uint32 ? .max : UInt32(entry.offset))
            put(entry.name)
            if !extra.isEmpty {
                put16(0x0001); put16(UInt16(8 * extra.count))
                for value in extra { put64(value) }
            }
        }
        let directorySize = written - directoryStart
        let needs64 = entries.count > limits.entries || directorySize >= limits.uint32 || directoryStart >= limits.uint32
        if needs64 {
            let record = written
            put32(0x0606_4b50); put64(44); put16(45); put16(45); put32(0); put32(0)
            put64(UInt64(entries.count)); put64(UInt64(entries.count)); put64(directorySize); put64(directoryStart)
            put32(0x0706_4b50); put32(0); put64(record); put32(1)
        }
        put32(0x0605_4b50); put16(0); put16(0)
        let count: UInt16 = entries.count > limits.entries ? .max : UInt16(entries.count)
        put16(count); put16(count)
        put32(directorySize >= limits.uint32 ? .max : UInt32(directorySize))
        put32(directoryStart >= limits.uint32 ? .max : UInt32(directoryStart))
        put16(0)
    }

    /// The entry's CRC and size count `bytes` as they are; what zlib makes of them goes out as it comes.
    private mutating func compress(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        crc.update(bytes)
        current!.uncompressed += UInt64(bytes.count)
        let deflate = self.deflate
        deflate.compress(bytes) { emit($0) }
    }

    private mutating func put(_ bytes: some Collection<UInt8>) {
        output.append(contentsOf: bytes)
        written += UInt64(bytes.count)
    }

    /// Compressed bytes of the current entry: counted as its data, not as headers.
    private mutating func emit(_ compressed: ByteBufferView) {
        put(compressed)
        current!.compressed += UInt64(compressed.count)
    }

    private mutating func put16(_ v: UInt16) { put([UInt8(v & 0xff), UInt8(v >> 8)]) }
    private mutating func put32(_ v: UInt32) { put((0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }) }
    private mutating func put64(_ v: UInt64) { put((0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }) }

    /// MS-DOS date and time (two-second steps, years from 1980), the one every ZIP reader shows.
    static func dosTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = min(max((c.year ?? 1980) - 1980, 0), 127)
        return (UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2),
                UInt16(year << 9 | (c.month ?? 1) << 5 | (c.day ?? 1)))
    }
}

/// CRC-32 (ISO 3309, the polynomial ZIP and PNG use), computed as bytes pass, eight bytes a step ("slicing by 8"): a
/// workbook of a million claims is about a gigabyte of sheet XML, and a byte a step took a seventh of its export's time.
struct CRC32 {
    private(set) var value: UInt32 = 0

    /// Table k holds the CRC of a byte followed by k zero bytes: eight lookups fold eight bytes at once.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            tables[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = tables[(k - 1) * 256 + n]
                tables[k * 256 + n] = tables[Int(previous & 0xff)] ^ (previous >> 8)
            }
        }
        return tables
    }()

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var c = ~value
        Self.tables.withUnsafeBufferPointer { t in
            var i = 0
            let count = buffer.count
            while count - i >= 8 {
                // Little-endian loads, as the tables assume (every platform this runs on).
                let low = c ^ UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                let high = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[7 * 256 + Int(low & 0xff)] ^ t[6 * 256 + Int((low >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xff)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xff)] ^ t[2 * 256 + Int((high >> 8) & 0xff)]
                    ^ t[256 + Int((high >> 16) & 0xff)] ^ t[Int(high >> 24)]
                i += 8
            }
            while i < count {
                c = t[Int((c ^ UInt32(buffer[i])) & 0xff)] ^ (c >> 8)
                i += 1
            }
        }
        value = ~c
    }
}
