import Foundation
import IncentivesDomain
import SQLKit
import Synchronization

/// Which claims an export holds.
public struct ClaimExportFilter: Sendable {
    public var partnerName: String?
    public var status: ClaimStatus?

    public init(partnerName: String? = nil, status: ClaimStatus? = nil) {
        self.partnerName = partnerName; self.status = status
    }
}

/// RFC 4180 CSV: fields quoted when they hold a comma, quote or line break; quotes doubled; CRLF.
public enum CSV {
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Text a person typed (names) is kept from being read as a formula by spreadsheet programs.
    public static func text(_ value: String) -> String {
        guard let first = value.first, "=+-@\t\r".contains(first) else { return value }
        return "'" + value
    }
}

/// Streams the claims export row by row: memory stays flat however many claims there are.
public struct ClaimExporter: Sendable {
    public let db: Database

    public static let columns = ["claim_id", "claim_name", "status", "status_label", "kind", "solution_area", "engagement",
                                 "partner", "location", "customer", "created_at", "consent_at", "due_at", "due_kind",
                                 "amount", "currency"]

    public init(db: Database) { self.db = db }

    /// Writes the header and one CSV line per claim to `sink`, in claim id order. Returns the row count.
    @discardableResult
    public func writeCSV(_ filter: ClaimExportFilter, in scope: AccessScope,
                         to sink: @escaping @Sendable (String) -> Void) async throws -> Int {
        try await db.read { sql in
            if let partner = filter.partnerName,
               try await sql.raw("SELECT id FROM organizations WHERE LOWER(name) = LOWER(\(bind: partner))").first() == nil {
                throw StoreError.notFound("No partner organization is named '\(partner)'.")
            }
            var query: SQLQueryString = """
                SELECT c.id, c.name, c.status, c.kind, a.name AS area, e.name AS engagement, o.name AS partner,
                       l.name AS location, cu.name AS customer, c.created_at, c.consent_at, c.due_at, c.due_kind,
                       c.amount_minor, c.currency
                FROM claims c
                JOIN solution_areas a ON a.id = c.solution_area_id
                JOIN engagements e ON e.id = c.engagement_id
                JOIN organizations o ON o.id = c.organization_id
                JOIN locations l ON l.id = c.location_id
                JOIN customers cu ON cu.id = c.customer_id
                WHERE \(scope.claimFilter("c"))
                """
            if let partner = filter.partnerName { query.appendInterpolation(unsafeRaw: " AND LOWER(o.name) = LOWER("); query.appendInterpolation(bind: partner); query.appendLiteral(")") }
            if let status = filter.status { query.appendLiteral(" AND c.status = "); query.appendInterpolation(bind: status.rawValue) }
            query.appendLiteral(" ORDER BY c.id")
            sink(CSV.line(Self.columns))
            let count = Mutex(0)
            let failure = Mutex<(any Error)?>(nil)
            try await sql.execute(sql: query) { row in
                do {
                    sink(try Self.line(row))
                    count.withLock { $0 += 1 }
                } catch {
                    failure.withLock { if $0 == nil { $0 = error } }
                }
            }
            if let error = failure.withLock({ $0 }) { throw error }
            return count.withLock { $0 }
        }
    }

    static func line(_ row: any SQLRow) throws -> String {
        let status = ClaimStatus(rawValue: try row.decode(column: "status", as: String.self))
        let currency = Currency(try row.decode(column: "currency", as: String.self))
        let amount = try row.decode(column: "amount_minor", as: Int64?.self).map { Money(minorUnits: $0, currency: currency).plainText }
        let date = { (column: String) throws -> String in
            try row.decode(column: column, as: Date?.self).map(iso8601UTC) ?? ""
        }
        return CSV.line([
            String(try row.decode(column: "id", as: Int64.self)),
            CSV.text(try row.decode(column: "name", as: String.self)),
            status?.rawValue ?? "", status?.label ?? "",
            try row.decode(column: "kind", as: String.self),
            try row.decode(column: "area", as: String.self),
            CSV.text(try row.decode(column: "engagement", as: String.self)),
            CSV.text(try row.decode(column: "partner", as: String.self)),
            CSV.text(try row.decode(column: "location", as: String.self)),
            CSV.text(try row.decode(column: "customer", as: String.self)),
            try date("created_at"), try date("consent_at"), try date("due_at"),
            try row.decode(column: "due_kind", as: String?.self) ?? "",
            amount ?? "", amount == nil ? "" : currency.code,
        ])
    }
}
