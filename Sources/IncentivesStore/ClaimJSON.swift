import Foundation
import IncentivesDomain
import SQLKit

/// A claim as the public API returns it and webhook payloads carry it: one shape for both.
/// snake_case keys, every key always present (absent values are `null`), dates RFC 3339 UTC in whole
/// seconds, money as an exact decimal string with its currency.
public struct ClaimJSON: Codable, Hashable, Sendable {
    public struct Customer: Codable, Hashable, Sendable {
        public var id: Int64
        public var name: String
        public var domain: String?
        public var tenantID: String?

        enum CodingKeys: String, CodingKey { case id, name, domain, tenantID = "tenant_id" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)
            try c.encode(domain, forKey: .domain)
            try c.encode(tenantID, forKey: .tenantID)
        }
    }

    /// An exact amount: `amount` is a decimal string with the currency's minor digits ("1234.50").
    public struct Amount: Codable, Hashable, Sendable {
        public var amount: String
        public var currency: String

        public init(_ money: Money) { amount = money.plainText; currency = money.currency.code }

        /// From stored minor units, as rows hold them (no Decimal on the way).
        public init(minorUnits: Int64, currency: Currency) {
            amount = Money.plainText(minorUnits: minorUnits, currency: currency)
            self.currency = currency.code
        }
    }

    /// The claim's open clock.
    public struct Deadline: Codable, Hashable, Sendable {
        public var kind: String
        public var dueAt: Date
        /// True when passing it expires the claim; false when it only informs.
        public var expiresClaim: Bool

        enum CodingKeys: String, CodingKey { case kind, dueAt = "due_at", expiresClaim = "expires_claim" }
    }

    public var id: Int64
    public var name: String
    public var kind: String
    public var status: String
    public var statusLabel: String
    public var version: Int
    public var organizationID: Int64
    public var locationID: Int64
    public var locationName: String
    public var engagementID: Int64
    public var engagementName: String
    public var engagementVersion: Int
    public var customer: Customer
    public var amount: Amount?
    public var hours: String?
    public var nextDeadline: Deadline?
    public var isDisputeRound: Bool
    public var consentAt: Date?
    public var firstSubmittedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, kind, status, statusLabel = "status_label", version, organizationID = "organization_id"
        case locationID = "location_id", locationName = "location_name", engagementID = "engagement_id"
        case engagementName = "engagement_name", engagementVersion = "engagement_version", customer, amount, hours
        case nextDeadline = "next_deadline", isDisputeRound = "is_dispute_round", consentAt = "consent_at"
        case firstSubmittedAt = "first_submitted_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    // Written by hand so that absent values are `null` rather than missing keys (the synthesized
    // encoder skips nil optionals).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(status, forKey: .status)
        try c.encode(statusLabel, forKey: .statusLabel)
        try c.encode(version, forKey: .version)
        try c.encode(organizationID, forKey: .organizationID)
        try c.encode(locationID, forKey: .locationID)
        try c.encode(locationName, forKey: .locationName)
        try c.encode(engagementID, forKey: .engagementID)
        try c.encode(engagementName, forKey: .engagementName)
        try c.encode(engagementVersion, forKey: .engagementVersion)
        try c.encode(customer, forKey: .customer)
        try c.encode(amount, forKey: .amount)
        try c.encode(hours, forKey: .hours)
        try c.encode(nextDeadline, forKey: .nextDeadline)
        try c.encode(isDisputeRound, forKey: .isDisputeRound)
        try c.encode(consentAt, forKey: .consentAt)
        try c.encode(firstSubmittedAt, forKey: .firstSubmittedAt)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }

    /// The one encoder configuration for API bodies and webhook payloads: RFC 3339 UTC dates in whole
    /// seconds, keys in declaration order, `/` not escaped.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(RFC3339.string(date))
        }
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }

    /// The decoder matching `makeEncoder()`.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    // MARK: - Reading

    /// The claims with these ids, in the order of `ids` (ids that do not exist are left out), read with one
    /// query. Not scoped: callers pass ids they have already read through a scoped query, or the system's own.
    public static func load(ids: [Int64], on sql: any SQLDatabase) async throws -> [ClaimJSON] {
        guard !ids.isEmpty else { return [] }
        var query: SQLQueryString = """
            SELECT c.id, c.name, c.kind, c.status, c.version, c.organization_id, c.location_id, l.name AS location_name,
                   c.engagement_id, e.name AS engagement_name, c.engagement_version, c.customer_id, cu.name AS customer_name,
                   cu.domain AS customer_domain, cu.tenant_id AS customer_tenant_id, c.amount_minor, c.currency, c.hours,
                   c.due_at, c.due_kind, c.expires_at, c.is_dispute_round, c.consent_at, c.first_submitted_at,
                   c.created_at, c.updated_at
            FROM claims c
            JOIN customers cu ON cu.id = c.customer_id
            JOIN engagements e ON e.id = c.engagement_id
            JOIN locations l ON l.id = c.location_id
            WHERE c.id IN (
            """
        for (i, id) in ids.enumerated() {
            if i > 0 { query.appendLiteral(", ") }
            query.appendInterpolation(bind: id)
        }
        query.appendLiteral(")")
        var byID: [Int64: ClaimJSON] = [:]
        let claims = if let sqlite = sql as? SQLiteStatementDatabase { try await page(query, on: sqlite) }
                     else { try await sql.raw(query).all().map(ClaimJSON.init(row:)) }
        for claim in claims { byID[claim.id] = claim }
        return ids.compactMap { byID[$0] }
    }

    /// The claims with these ids, read on a pooled connection.
    public static func load(ids: [Int64], on db: Database) async throws -> [ClaimJSON] {
        try await db.read { try await load(ids: ids, on: $0) }
    }

    /// A claim from a row holding the columns of `load`'s query (the API's list reads the same, `ClaimListing.jsonColumns`).
    /// By hand, not a `Decodable` row: the API's list decodes 26 columns a claim (Rows.swift says why).
    init(row: any SQLRow) throws {
        let column = StoredColumns(row)
        let statusText: String = try column("status")
        guard let status = ClaimStatus(rawValue: statusText) else {
            throw StoreError.corrupt("A claim holds an unknown status (\(statusText)).")
        }
        try self.init(
            id: column("id"), name: column("name"), kind: column("kind"), status: status, version: column("version"),
            organizationID: column("organization_id"), locationID: column("location_id"), locationName: column("location_name"),
            engagementID: column("engagement_id"), engagementName: column("engagement_name"),
            engagementVersion: column("engagement_version"),
            customer: Customer(id: column("customer_id"), name: column("customer_name"), domain: column("customer_domain"),
                               tenantID: column("customer_tenant_id")),
            amountMinor: column("amount_minor"), currency: Currency(column("currency", as: String.self)), hours: column("hours"),
            dueAt: column("due_at"), dueKind: column("due_kind"), expires: column("expires_at", as: Date?.self) != nil,
            isDisputeRound: column("is_dispute_round"), consentAt: column("consent_at"),
            firstSubmittedAt: column("first_submitted_at"), createdAt: column("created_at"), updatedAt: column("updated_at"))
    }

    /// A claim from its stored columns, however they were read (`init(row:)`, or in place on SQLite, `page(_:on:)`).
    init(id: Int64, name: String, kind: String, status: ClaimStatus, version: Int, organizationID: Int64, locationID: Int64,
         locationName: String, engagementID: Int64, engagementName: String, engagementVersion: Int, customer: Customer,
         amountMinor: Int64?, currency: Currency, hours: String?, dueAt: Date?, dueKind: String?, expires: Bool,
         isDisputeRound: Bool, consentAt: Date?, firstSubmittedAt: Date?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.kind = kind
        self.status = status.rawValue
        statusLabel = status.label
        self.version = version
        self.organizationID = organizationID
        self.locationID = locationID
        self.locationName = locationName
        self.engagementID = engagementID
        self.engagementName = engagementName
        self.engagementVersion = engagementVersion
        self.customer = customer
        amount = amountMinor.map { Amount(minorUnits: $0, currency: currency) }
        self.hours = hours
        if let dueAt, let dueKind {
            nextDeadline = Deadline(kind: dueKind, dueAt: dueAt, expiresClaim: expires)
        } else {
            nextDeadline = nil
        }
        self.isDisputeRound = isDisputeRound
        self.consentAt = consentAt
        self.firstSubmittedAt = firstSubmittedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    // MARK: - The fast path for lists

    /// This claim as JSON bytes, exactly as `makeEncoder()` would write it (a test holds them equal), without
    /// Foundation's encoder: lists of claims are the API's hottest responses.
    public func write(to out: inout [UInt8]) {
        var w = JSONBytes(out: out)
        out = []
        w.raw("{\"id\":"); w.integer(id)
        w.raw(",\"name\":"); w.string(name)
        w.raw(",\"kind\":"); w.string(kind)
        w.raw(",\"status\":"); w.string(status)
        w.raw(",\"status_label\":"); w.string(statusLabel)
        w.raw(",\"version\":"); w.integer(Int64(version))
        w.raw(",\"organization_id\":"); w.integer(organizationID)
        w.raw(",\"location_id\":"); w.integer(locationID)
        w.raw(",\"location_name\":"); w.string(locationName)
        w.raw(",\"engagement_id\":"); w.integer(engagementID)
        w.raw(",\"engagement_name\":"); w.string(engagementName)
        w.raw(",\"engagement_version\":"); w.integer(Int64(engagementVersion))
        w.raw(",\"customer\":{\"id\":"); w.integer(customer.id)
        w.raw(",\"name\":"); w.string(customer.name)
        w.raw(",\"domain\":"); w.string(customer.domain)
        w.raw(",\"tenant_id\":"); w.string(customer.tenantID)
        w.raw("},\"amount\":")
        if let amount {
            w.raw("{\"amount\":"); w.string(amount.amount); w.raw(",\"currency\":"); w.string(amount.currency); w.raw("}")
        } else {
            w.raw("null")
        }
        w.raw(",\"hours\":"); w.string(hours)
        w.raw(",\"next_deadline\":")
        if let nextDeadline {
            w.raw("{\"kind\":"); w.string(nextDeadline.kind)
            w.raw(",\"due_at\":"); w.date(nextDeadline.dueAt)
            w.raw(",\"expires_claim\":"); w.raw(nextDeadline.expiresClaim ? "true" : "false"); w.raw("}")
        } else {
            w.raw("null")
        }
        w.raw(",\"is_dispute_round\":"); w.raw(isDisputeRound ? "true" : "false")
        w.raw(",\"consent_at\":"); w.date(consentAt)
        w.raw(",\"first_submitted_at\":"); w.date(firstSubmittedAt)
        w.raw(",\"created_at\":"); w.date(createdAt)
        w.raw(",\"updated_at\":"); w.date(updatedAt)
        w.raw("}")
        out = w.out
    }
}

/// A JSON writer into bytes, for the hand-written fast paths (escaping as RFC 8259 asks).
public struct JSONBytes {
    public var out: [UInt8]

    public init(out: [UInt8] = []) { self.out = out }

    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    public mutating func integer(_ value: Int64) {
        out.append(contentsOf: String(value).utf8)
    }

    public mutating func string(_ value: String?) {
        guard var value else { return raw("null") }
        out.append(UInt8(ascii: "\""))
        // Most text needs no escape: copied whole, where a byte at a time was a twentieth of the API list's CPU.
        let plain = value.withUTF8 { text in
            guard !text.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(contentsOf: text)
            return true
        }
        if plain { return out.append(UInt8(ascii: "\"")) }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                raw("\\u00"); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    public mutating func date(_ value: Date?) {
        guard let value else { return raw("null") }
        out.append(UInt8(ascii: "\""))
        RFC3339.append(value, to: &out)
        out.append(UInt8(ascii: "\""))
    }
}

/// RFC 3339 timestamps in UTC with whole seconds ("2026-11-29T08:15:00Z"), by arithmetic: Foundation's
/// formatters cost microseconds a date, which a 50-claim list pays 200 times.
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        append(date, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func append(_ date: Date, to out: inout [UInt8]) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        // Four digits of year: a year past 9999 keeps its last four, as it always did here (the export sends such
        // instants to Foundation's formatter instead, `appendISO8601UTC`); one before year 0 no longer traps.
        let shownYear = (year % 10_000 + 10_000) % 10_000
        // An export writes three or four instants a claim, a million claims: made in a buffer on the stack, two digits at
        // a time, and appended once (an append a byte checks the array's room each time).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { b in
            func two(_ value: Int64, at i: Int) {
                b[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10)
                b[i + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10)
            }
            two(shownYear / 100, at: 0); two(shownYear % 100, at: 2); b[4] = UInt8(ascii: "-"); two(month, at: 5); b[7] = UInt8(ascii: "-")
            two(day, at: 8); b[10] = UInt8(ascii: "T"); two(secondOfDay / 3_600, at: 11); b[13] = UInt8(ascii: ":")
            two(secondOfDay / 60 % 60, at: 14); b[16] = UInt8(ascii: ":"); two(secondOfDay % 60, at: 17); b[19] = UInt8(ascii: "Z")
            out.append(contentsOf: UnsafeBufferPointer(b))
        }
    }
}
