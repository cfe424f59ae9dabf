import Foundation
import IncentivesDomain
@testable import IncentivesStore
import SQLKit
import Testing

/// The claims export written byte by byte, in pages of many claims: the same file as the list's own rows put through the
/// string rules of CSV (`CSV.line`, `CSV.text`, `iso8601UTC`) one cell at a time.
@Suite("Claims export in large pages: complete, in order, the same text as cell by cell")
struct ClaimExportPagesTests {
    let now = TestDatabases.now

    /// A cell as CSV text by the string rules.
    static func text(_ cell: TableCell) -> String {
        switch cell {
        case .text(let s): CSV.text(s)
        case .utf8(let bytes): CSV.text(String(decoding: bytes, as: UTF8.self))
        case .integer(let n): String(n)
        case .decimal(let s): s
        case .amount(let units, let currency): Money(minorUnits: units, currency: currency).plainText
        case .date(let d): iso8601UTC(d)
        case .empty: ""
        }
    }

    @Test("SQLite: a page read in place holds the same lines as its rows decoded one by one, with names CSV must quote or guard")
    func inPlaceMatchesDecoded() async throws {
        try await TestDatabases.with(.sqlite, seeded: true) { db in
            try await db.write { sql in
                try await sql.raw("""
                    UPDATE claims SET name = CASE id % 7 WHEN 0 THEN '=SUM(A1)' WHEN 1 THEN 'Comma, "quoted"' WHEN 2 THEN 'Line
                    break' WHEN 3 THEN 'Zoë Ångström 東京 🚀' WHEN 4 THEN '' WHEN 5 THEN ' padded ' ELSE name END
                    """).run()
                try await sql.raw("UPDATE customers SET name = '+1 ' || name WHERE id % 3 = 0").run()
            }
            let (inPlace, decoded) = try await ClaimExportLine.readBothWays(on: db)
            #expect(decoded.count > 100)
            #expect(Set(decoded.map { String(decoding: $0.name, as: UTF8.self) }).isSuperset(of: ["=SUM(A1)", "Comma, \"quoted\"", "", " padded "]))
            #expect(inPlace == decoded)
        }
    }

    @Test("an export of more claims than a page holds has every claim of the view once, in its order, as the list's rows make it",
          arguments: TestDatabases.flavors)
    func manyPages(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await Seeder(db: db).seedScale(count: ClaimExport.pageSize + 700, now: now)
            let listing = ClaimListing(db: db)
            let areas = try await listing.choices(in: .vendor).areas.reduce(into: [Int64: String]()) { $0[$1.id] = $1.name }
            let bluefin = AccessScope.partner(organizationID: 1, locationIDs: [1, 2, 3, 4])
            for (scope, sort, descending) in [(AccessScope.vendor, ClaimListQuery.Sort.updated, true), (bluefin, .customer, false),
                                              (.vendor, .due, false)] {
                var query = ClaimListQuery()
                query.sort = sort; query.descending = descending
                let (written, ids, matches) = try await exportMatchesList(query, in: scope, listing: listing, areas: areas)
                let inScope = try await db.read { sql in
                    try await sql.raw("SELECT COUNT(*) AS n FROM claims c WHERE \(scope.claimFilter("c"))").first(decodingColumn: "n", as: Int.self)
                }
                #expect(written == inScope && ids.count == inScope && Set(ids).count == ids.count, "\(scope) \(sort)")
                #expect(written > ClaimExport.pageSize || scope != .vendor, "more claims than one page")
                #expect(matches, "\(scope) by \(sort): the same bytes as the list's rows, cell by cell")
            }
        }
    }

    /// The export's pages are read side by side, each the range between two rows its scout found (`ClaimListing.pageEnd`):
    /// every sort's key (dates read again from the claim, names, statuses, amounts), both ways, with ties on the key,
    /// in pages of a few claims, each claim once and in the list's order.
    @Test("an export read in many small pages side by side, by every sort both ways, has the list's claims once, in order",
          arguments: TestDatabases.flavors)
    func everySortInSmallPages(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            let listing = ClaimListing(db: db)
            let areas = try await listing.choices(in: .vendor).areas.reduce(into: [Int64: String]()) { $0[$1.id] = $1.name }
            let total = try await db.read { try await $0.raw("SELECT COUNT(*) AS n FROM claims").first(decodingColumn: "n", as: Int.self) }
            for sort in ClaimListQuery.Sort.allCases {
                for descending in [true, false] {
                    var query = ClaimListQuery()
                    query.sort = sort; query.descending = descending
                    let (written, ids, matches) = try await exportMatchesList(query, in: .vendor, listing: listing, areas: areas, batch: 7)
                    #expect(written == total && ids.count == total && Set(ids).count == total, "by \(sort), descending \(descending)")
                    #expect(matches, "by \(sort), descending \(descending): the same bytes as the list's rows")
                }
            }
            // A filtered view: the scout walks the same filters as the pages.
            var query = ClaimListQuery()
            query.status = .submitted
            let (written, _, matches) = try await exportMatchesList(query, in: .vendor, listing: listing, areas: areas, batch: 3)
            #expect(written > 3 && matches, "submitted claims only")
        }
    }

    /// A workbook's deflate runs beside the next rows' XML (`TableWriter.takeDeferred`), piece after piece: the file is the
    /// one a writer given the list's rows one by one and taken once makes, byte for byte, over more than one piece.
    @Test("a workbook export, its deflate run beside the rows, is byte for byte the workbook of the list's rows",
          arguments: TestDatabases.flavors)
    func workbookPieces(flavor: SQLFlavor) async throws {
        try await TestDatabases.with(flavor, seeded: true) { db in
            try await Seeder(db: db).seedScale(count: 1_500, now: now)
            let listing = ClaimListing(db: db)
            let areas = try await listing.choices(in: .vendor).areas.reduce(into: [Int64: String]()) { $0[$1.id] = $1.name }
            var query = ClaimListQuery()
            var pieces = 0
            var file: [UInt8] = []
            let written = try await listing.export(query, as: .xlsx, in: .vendor, now: now, batch: 400) { file += $0; pieces += 1 }
            var expected = XLSXWriter(columns: ClaimListing.exportColumns, sheetName: "Claims", modified: now)
            var rows = 0
            query.limit = 200
            while true {
                let page = try await listing.page(query, in: .vendor, now: now)
                for claim in page.claims {
                    expected.row(ClaimListing.exportCells(ClaimExportLine(claim), area: areas[claim.solutionAreaID] ?? ""))
                    rows += 1
                }
                guard let next = page.next else { break }
                query.after = next
            }
            expected.finish()
            #expect(written == rows && rows > 1_500)
            #expect(pieces > 3, "the workbook left in pieces")
            #expect(file == expected.take(), "the same workbook")
        }
    }

    /// The view exported as CSV (in pages of `batch`), and whether it is byte for byte the list's own pages of 50, each
    /// claim's cells put through the string rules; the claims written and the list's ids.
    func exportMatchesList(_ query: ClaimListQuery, in scope: AccessScope, listing: ClaimListing, areas: [Int64: String],
                           batch: Int = ClaimExport.pageSize) async throws -> (written: Int, ids: [Int64], matches: Bool) {
        var query = query
        var csv: [UInt8] = []
        let written = try await listing.export(query, as: .csv, in: scope, now: now, batch: batch) { csv += $0 }
        var expected = CSV.line(ClaimListing.exportColumns.map(\.name))
        var ids: [Int64] = []
        query.limit = 50
        while true {
            let page = try await listing.page(query, in: scope, now: now)
            for claim in page.claims {
                ids.append(claim.id)
                expected += CSV.line(ClaimListing.exportCells(ClaimExportLine(claim), area: areas[claim.solutionAreaID] ?? "").map(Self.text))
            }
            guard let next = page.next else { break }
            query.after = next
        }
        return (written, ids, String(decoding: csv, as: UTF8.self) == expected)
    }

    @Test("a field is written byte by byte exactly as the string rules write it: formula guard, quotes, commas, line breaks")
    func fieldBytes() {
        let values = ["", "plain", "=SUM(A1)", "+1", "-5", "@cmd", "\tx", "\rx", "a,b", "say \"hi\"", "line\nbreak", "=\"a\",b",
                      "é,\u{301}", "\"\u{301}", "=\u{301}", "Ünïcödé – 東京", "\"", ",", "\r\n", "'already"]
        for value in values {
            for guarded in [true, false] {
                var bytes: [UInt8] = []
                CSV.appendField(value, guarded: guarded, to: &bytes)
                #expect(String(decoding: bytes, as: UTF8.self) == CSV.field(guarded ? CSV.text(value) : value), "\(value.debugDescription)")
            }
        }
    }

    @Test("instants are written as Foundation's ISO 8601 in UTC writes them, the second rounded down")
    func instants() {
        var random = SplitMix64(state: 20)
        var instants: [TimeInterval] = [0, -0.5, -1, -86_400, -86_401, 86_399.999, 951_782_400, 4_107_542_400, 253_402_300_799.9,
                                        1_795_600_000.9999, -62_135_596_800, -62_167_219_200, 253_402_300_800, 1e15]
        for _ in 0..<5_000 { instants.append(Double(Int64.random(in: -5_000_000_000...8_000_000_000, using: &random)) / 3) }
        for t in instants {
            var bytes: [UInt8] = []
            appendISO8601UTC(Date(timeIntervalSince1970: t), to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == iso8601UTC(Date(timeIntervalSince1970: t)), "\(t)")
        }
    }
}

extension ClaimExportLine {
    /// A line of the list's own pages as the export holds it: the amount back in minor units from its `Money`.
    init(_ c: ClaimSummary) {
        self.init(id: c.id, name: Text(c.name.utf8), kind: c.kind, status: c.status, customerName: Text(c.customerName.utf8),
                  engagementName: Text(c.engagementName.utf8), locationName: Text(c.locationName.utf8),
                  organizationName: Text(c.organizationName.utf8), solutionAreaID: c.solutionAreaID,
                  amountMinor: c.amount?.minorUnits, currency: c.amount?.currency ?? .usd, dueAt: c.dueAt, dueKind: c.dueKind,
                  consentAt: c.consentAt, createdAt: c.createdAt, updatedAt: c.updatedAt)
    }
}
