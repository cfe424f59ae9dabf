import Foundation
import IncentivesDomain
import SQLKit

/// One earning line: an approved claim's pay.
public struct EarningLine: Sendable, Hashable {
    public var id: Int64
    public var claimID: Int64
    public var claimName: String
    public var engagementID: Int64
    public var engagementName: String
    public var locationID: Int64
    public var locationName: String
    public var organizationName: String
    public var market: Market
    public var engagementVersion: Int
    public var rate: Money
    public var hours: Decimal?
    public var amount: Money
    public var approvedAt: Date
    /// `YYYY-MM` (UTC) in which payment is expected.
    public var paymentMonth: String
    public var paymentStatus: PaymentStatus
}

/// What the scope has earned in one currency, from integer minor units.
public struct EarningTotal: Sendable, Hashable {
    /// Everything not reversed or forfeited.
    public var earned: Money
    /// Of which confirmed paid.
    public var paid: Money
    /// Earning lines in the currency, whatever their payment status.
    public var lines: Int
}

/// A page of earnings, newest approval first, with totals over all of the scope's earnings.
public struct EarningsSummary: Sendable, Hashable {
    public var lines: [EarningLine]
    /// How many earnings the scope holds (the page may show fewer).
    public var totalCount: Int
    /// One per currency, by currency code.
    public var totals: [EarningTotal]
}

/// Which earnings a list, chart or export holds; every part optional and combinable.
public struct EarningsFilter: Sendable, Hashable {
    public var locationID: Int64?
    public var paymentStatus: PaymentStatus?
    /// `YYYY-MM`, the estimated payment month.
    public var paymentMonth: String?

    public init(locationID: Int64? = nil, paymentStatus: PaymentStatus? = nil, paymentMonth: String? = nil) {
        self.locationID = locationID; self.paymentStatus = paymentStatus; self.paymentMonth = paymentMonth
    }

    /// Whether `text` is a `YYYY-MM` month (the only form the filter takes).
    public static func isMonth(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let month = Int(parts[1]) else { return false }
        return (1...12).contains(month)
    }
}

/// Where a keyset page starts, named by the id of the earning at the edge of the previous page.
public enum EarningsCursor: Sendable, Hashable {
    case newest
    /// Earnings approved before this one (the "Older" link).
    case olderThan(Int64)
    /// Earnings approved after this one (the "Newer" link).
    case newerThan(Int64)
}

/// One keyset page, newest approval first, and whether there is more on either side.
public struct EarningsSlice: Sendable, Hashable {
    public var lines: [EarningLine]
    public var hasOlder: Bool
    public var hasNewer: Bool
}

/// What one currency earns in one estimated payment month.
public struct MonthlyEarning: Sendable, Hashable {
    /// `YYYY-MM`.
    public var month: String
    /// Everything not reversed or forfeited.
    public var earned: Money
    /// Of which confirmed paid.
    public var paid: Money
    public var lines: Int

    public init(month: String, earned: Money, paid: Money, lines: Int) {
        self.month = month; self.earned = earned; self.paid = paid; self.lines = lines
    }
}

/// A location the viewer may filter earnings by (decoded as is from its columns).
public struct EarningsLocation: Sendable, Hashable, Decodable {
    public var id: Int64
    public var name: String
    public var organizationName: String
}

/// Scoped reads of the earnings table: keyset pages, monthly totals and the CSV export. Partner
/// scopes see their organization's earnings on their Incentives locations only; the vendor sees all.
public struct EarningsReads: Sendable {
    public let db: Database

    public static let csvColumns = ["earning_id", "claim_id", "claim_name", "engagement", "engagement_version", "partner",
                                    "location", "market", "rate", "hours", "amount", "currency", "approved_at",
                                    "estimated_payment_month", "payment_status"]

    public init(db: Database) { self.db = db }

    /// Up to `limit` earnings from `cursor` (newest approval first), by seek on (approved_at, id), never OFFSET.
    public func page(in scope: AccessScope, filter: EarningsFilter = .init(), from cursor: EarningsCursor = .newest,
                     limit: Int = 50) async throws -> EarningsSlice {
        let limit = max(1, min(limit, 500))
        return try await db.read { sql in
            var lines = try await Self.lines(in: scope, filter: filter, from: cursor, limit: limit + 1, on: sql)
            let more = lines.count > limit
            if more { lines.removeLast() }
            switch cursor {
            case .newest: return EarningsSlice(lines: lines, hasOlder: more, hasNewer: false)
            case .olderThan: return EarningsSlice(lines: lines, hasOlder: more, hasNewer: true)
            case .newerThan: return EarningsSlice(lines: lines.reversed(), hasOlder: true, hasNewer: more)
            }
        }
    }

    /// Earned and paid per estimated payment month and currency (month, then currency code), summed as
    /// integer minor units: currencies are never added together. Read from the kept `earning_totals` and
    /// `earning_month_totals` (migration 28), a few rows per location and month, never the earnings themselves.
    public func monthly(in scope: AccessScope, filter: EarningsFilter = .init()) async throws -> [MonthlyEarning] {
        try await db.read { sql in
            // Aliased `ea` so the earnings' conditions (location, payment status, month) read the totals' same columns.
            var query: SQLQueryString = """
                SELECT ea.payment_month, ea.currency, CAST(SUM(ea.n) AS BIGINT) AS n,
                       CAST(COALESCE(SUM(CASE WHEN ea.payment_status IN ('reversed', 'forfeited') THEN 0 ELSE ea.amount_minor END), 0) AS BIGINT) AS earned,
                       CAST(COALESCE(SUM(CASE WHEN ea.payment_status = 'paid' THEN ea.amount_minor ELSE 0 END), 0) AS BIGINT) AS paid
                FROM
                """
            let everyLocation: Bool = { if case .partner = scope { false } else { true } }()
            if everyLocation, filter.locationID == nil {
                // Every location's: the vendor's totals need no location.
                query.appendLiteral(" earning_month_totals ea WHERE 1 = 1")
                query.appendInterpolation(Self.statusAndMonth(filter))
            } else {
                query.appendLiteral(" earning_totals ea JOIN locations l ON l.id = ea.location_id WHERE ")
                query.appendInterpolation(Self.conditions(scope, filter))
            }
            query.appendLiteral(" GROUP BY ea.payment_month, ea.currency HAVING SUM(ea.n) > 0 ORDER BY ea.payment_month, ea.currency")
            return try await sql.raw(query).all(decoding: MonthRow.self, with: .snakeCase).map(\.month)
        }
    }

    /// Totals per currency (by code), added up from the monthly figures as money of one currency each.
    public static func totals(_ months: [MonthlyEarning]) -> [EarningTotal] {
        var byCurrency: [Currency: EarningTotal] = [:]
        for month in months {
            let currency = month.earned.currency
            var total = byCurrency[currency] ?? EarningTotal(earned: .zero(currency), paid: .zero(currency), lines: 0)
            total.earned = total.earned + month.earned
            total.paid = total.paid + month.paid
            total.lines += month.lines
            byCurrency[currency] = total
        }
        return byCurrency.values.sorted { $0.earned.currency.code < $1.earned.currency.code }
    }

    /// Whether the earning is the scope's to see (the API's cursors name one).
    public func holds(_ earning: Int64, in scope: AccessScope) async throws -> Bool {
        try await db.read { sql in
            try await sql.raw("""
                SELECT 1 AS one FROM earnings ea JOIN locations l ON l.id = ea.location_id WHERE ea.id = \(bind: earning) AND \(scope.locationFilter("l"))
                """).first() != nil
        }
    }

    /// The locations of the scope that hold at least one earning, for the location filter.
    public func locations(in scope: AccessScope) async throws -> [EarningsLocation] {
        try await db.read { sql in
            try await sql.raw("""
                SELECT l.id, l.name, o.name AS organization_name FROM locations l JOIN organizations o ON o.id = l.organization_id
                WHERE \(scope.locationFilter("l")) AND EXISTS (SELECT 1 FROM earnings ea WHERE ea.location_id = l.id)
                ORDER BY o.name, l.name, l.id
                """).all(decoding: EarningsLocation.self, with: .snakeCase)
        }
    }

    /// Writes the header and one RFC 4180 line per earning to `sink`, newest approval first, reading
    /// `batch` rows at a time by keyset: memory stays flat, and a slow client slows the reads down
    /// (the sink is awaited) instead of piling the file up. Returns the row count.
    @discardableResult
    public func writeCSV(_ filter: EarningsFilter = .init(), in scope: AccessScope, batch: Int = 500,
                         to sink: (String) async throws -> Void) async throws -> Int {
        try await sink(CSV.line(Self.csvColumns))
        var cursor = EarningsCursor.newest
        var count = 0
        while true {
            let from = cursor
            let lines = try await db.read { sql in
                try await Self.lines(in: scope, filter: filter, from: from, limit: max(1, batch), on: sql)
            }
            guard let last = lines.last else { break }
            try await sink(lines.map(Self.csvLine).joined())
            count += lines.count
            if lines.count < batch { break }
            cursor = .olderThan(last.id)
        }
        return count
    }

    /// One CSV line; names people typed are kept from being read as formulas.
    static func csvLine(_ e: EarningLine) -> String {
        CSV.line([
            String(e.id), String(e.claimID), CSV.text(e.claimName), CSV.text(e.engagementName), String(e.engagementVersion),
            CSV.text(e.organizationName), CSV.text(e.locationName), e.market.rawValue.uppercased(), e.rate.plainText,
            e.hours.map { "\($0)" } ?? "", e.amount.plainText, e.amount.currency.code, iso8601UTC(e.approvedAt),
            e.paymentMonth, e.paymentStatus.rawValue,
        ])
    }

    /// The scope (by the earning's location, which must belong to the scope's organization) and the filter.
    static func conditions(_ scope: AccessScope, _ filter: EarningsFilter) -> SQLQueryString {
        var query: SQLQueryString = "\(scope.locationFilter("l"))"
        if case .partner(_, let locations) = scope, !locations.isEmpty {
            // Stated on the earning itself too, so the planner seeks earnings_location_approved per location.
            let located: SQLQueryString = " AND ea.location_id IN (\(boundList: locations.sorted()))"
            query.appendInterpolation(located)
        }
        if let location = filter.locationID { query.appendLiteral(" AND ea.location_id = "); query.appendInterpolation(bind: location) }
        query.appendInterpolation(statusAndMonth(filter))
        return query
    }

    /// Earnings in seek order from the cursor: newest first, or oldest first after a `.newerThan` cursor.
    /// The cursor's earning is looked up within the scope, so a foreign id gives nothing away.
    static func lines(in scope: AccessScope, filter: EarningsFilter, from cursor: EarningsCursor, limit: Int,
                      on sql: any SQLDatabase) async throws -> [EarningLine] {
        try await sql.raw(linesQuery(in: scope, filter: filter, from: cursor, limit: limit)).all().map(line)
    }

    /// The seek query behind `lines` (tests read its plan). A partner with several locations seeks each location's
    /// newest `limit` on `earnings_location_approved` and merges those: one seek over all of them would read every
    /// earning of the organization to sort it.
    static func linesQuery(in scope: AccessScope, filter: EarningsFilter, from cursor: EarningsCursor, limit: Int) -> SQLQueryString {
        let ascending: Bool = { if case .newerThan = cursor { true } else { false } }()
        let order = ascending ? " ORDER BY ea.approved_at, ea.id" : " ORDER BY ea.approved_at DESC, ea.id DESC"
        let limitText = " LIMIT \(max(1, limit))"
        var query: SQLQueryString = """
            SELECT ea.id, ea.claim_id, c.name AS claim_name, ea.engagement_id, e.name AS engagement_name,
                   ea.location_id, l.name AS location_name, o.name AS organization_name, ea.market, ea.engagement_version,
                   ea.rate_minor, ea.hours, ea.amount_minor, ea.currency, ea.approved_at, ea.payment_month, ea.payment_status
            FROM
            """
        let joins = """
             earnings ea JOIN claims c ON c.id = ea.claim_id JOIN engagements e ON e.id = ea.engagement_id
            JOIN locations l ON l.id = ea.location_id JOIN organizations o ON o.id = l.organization_id WHERE
            """
        if case .partner(_, let locations) = scope, locations.count > 1, filter.locationID == nil {
            // The merged pages come first, cut to one page, so only that page's earnings are looked up and joined.
            query.appendLiteral(" (SELECT u.id FROM (")
            for (i, location) in locations.sorted().enumerated() {
                if i > 0 { query.appendLiteral(" UNION ALL ") }
                query.appendLiteral("SELECT p.id, p.approved_at FROM (SELECT ea.id, ea.approved_at FROM earnings ea WHERE ea.location_id = ")
                query.appendInterpolation(bind: location)
                query.appendInterpolation(statusAndMonth(filter))
                query.appendInterpolation(seek(cursor, in: scope, ascending: ascending))
                query.appendLiteral(order + limitText + ") p")
            }
            let merged = order.replacingOccurrences(of: "ea.", with: "u.")
            query.appendLiteral(") u" + merged + limitText + ") m CROSS JOIN" + joins + " ea.id = m.id AND ")
            query.appendInterpolation(scope.locationFilter("l"))
        } else {
            query.appendLiteral(joins + " ")
            query.appendInterpolation(conditions(scope, filter))
            query.appendInterpolation(seek(cursor, in: scope, ascending: ascending))
        }
        query.appendLiteral(order + limitText)
        return query
    }

    /// The filter's payment status and month, as ` AND …` conditions on `ea`.
    private static func statusAndMonth(_ filter: EarningsFilter) -> SQLQueryString {
        var query: SQLQueryString = ""
        if let status = filter.paymentStatus { query.appendLiteral(" AND ea.payment_status = "); query.appendInterpolation(bind: status.rawValue) }
        if let month = filter.paymentMonth { query.appendLiteral(" AND ea.payment_month = "); query.appendInterpolation(bind: month) }
        return query
    }

    /// ` AND` the earnings past the cursor's (looked up within the scope, so a foreign id gives nothing away); empty
    /// for the newest page.
    private static func seek(_ cursor: EarningsCursor, in scope: AccessScope, ascending: Bool) -> SQLQueryString {
        switch cursor {
        case .newest:
            return ""
        case .olderThan(let id), .newerThan(let id):
            var query: SQLQueryString = ascending ? " AND (ea.approved_at, ea.id) > " : " AND (ea.approved_at, ea.id) < "
            query.appendLiteral("(SELECT k.approved_at, k.id FROM earnings k JOIN locations kl ON kl.id = k.location_id WHERE k.id = ")
            query.appendInterpolation(bind: id)
            query.appendLiteral(" AND ")
            query.appendInterpolation(scope.locationFilter("kl"))
            query.appendLiteral(")")
            return query
        }
    }

    /// By hand, not a `Decodable` row: the earnings page and the CSV export, which streams every earning, read these
    /// (Rows.swift says why).
    static func line(_ row: any SQLRow) throws -> EarningLine {
        let id = try row.decode(column: "id", as: Int64.self)
        let currency = Currency(try row.decode(column: "currency", as: String.self))
        guard let market = Market(rawValue: try row.decode(column: "market", as: String.self)),
              let status = PaymentStatus(rawValue: try row.decode(column: "payment_status", as: String.self)) else {
            throw StoreError.corrupt("Earning \(id) holds an unknown market or payment status.")
        }
        return EarningLine(
            id: id, claimID: try row.decode(column: "claim_id", as: Int64.self),
            claimName: try row.decode(column: "claim_name", as: String.self),
            engagementID: try row.decode(column: "engagement_id", as: Int64.self),
            engagementName: try row.decode(column: "engagement_name", as: String.self),
            locationID: try row.decode(column: "location_id", as: Int64.self),
            locationName: try row.decode(column: "location_name", as: String.self),
            organizationName: try row.decode(column: "organization_name", as: String.self),
            market: market, engagementVersion: try row.decode(column: "engagement_version", as: Int.self),
            rate: Money(minorUnits: try row.decode(column: "rate_minor", as: Int64.self), currency: currency),
            hours: try row.decode(column: "hours", as: String?.self).flatMap { Decimal(string: $0) },
            amount: Money(minorUnits: try row.decode(column: "amount_minor", as: Int64.self), currency: currency),
            approvedAt: try row.decode(column: "approved_at", as: Date.self),
            paymentMonth: try row.decode(column: "payment_month", as: String.self), paymentStatus: status)
    }

    /// One payment month's sums in one currency.
    private struct MonthRow: Decodable {
        var paymentMonth: String
        var currency: String
        var n: Int
        var earned: Int64
        var paid: Int64

        var month: MonthlyEarning {
            let currency = Currency(currency)
            return MonthlyEarning(month: paymentMonth, earned: Money(minorUnits: earned, currency: currency),
                                  paid: Money(minorUnits: paid, currency: currency), lines: n)
        }
    }
}

extension ProgramReads {
    /// The newest `limit` earnings of the scope by approval, and totals per currency over all of them.
    public func earnings(in scope: AccessScope, limit: Int = 100) async throws -> EarningsSummary {
        let reads = EarningsReads(db: db)
        let slice = try await reads.page(in: scope, limit: limit)
        let totals = EarningsReads.totals(try await reads.monthly(in: scope))
        return EarningsSummary(lines: slice.lines, totalCount: totals.reduce(0) { $0 + $1.lines }, totals: totals)
    }
}
