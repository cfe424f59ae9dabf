import Foundation
import IncentivesDomain
import SQLKit

/// One engagement's line of the budgets report.
public struct EngagementBudgetLine: Sendable, Hashable {
    public var id: Int64
    public var name: String
    /// The engagement's figures in its own currency, with its budget when one is set.
    public var figures: BudgetFigures
}

/// One engagement and currency of the reconciliation: approved = paid + in runs + payable + carried.
public struct ReconciliationLine: Sendable, Hashable {
    public var engagementID: Int64
    public var engagementName: String
    public var currency: Currency
    public var balance: LedgerBalance
}

/// The budgets report: the program's budgets per currency, every engagement's, and the history of their changes.
public struct BudgetOverview: Sendable {
    public var programID: Int64?
    /// Per currency: each currency of a budget or an engagement, with the program's budget when set.
    public var program: [BudgetFigures]
    public var engagements: [EngagementBudgetLine]
    public var history: [ProgramChange]
}

/// Budgets per program currency and per engagement: set and cleared by the program manager (each change with its
/// `ProgramChange`), read as figures, and asked about every new claim (`verdicts`).
public struct Budgets: Sendable {
    public let db: Database

    public init(db: Database) { self.db = db }

    // MARK: Changes

    /// Sets the program's budget in `currency` (text typed by the program manager).
    public func setProgramBudget(currency: String, amount: String, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        let currency = try BudgetInput.currency(currency)
        let minor = try BudgetInput.amountMinor(amount, currency: currency)
        let flavor = db.flavor
        try await db.write(changesClaims: false) { sql in
            let program = try await Self.programID(on: sql)
            try await TransactionLocks.budget(program: program, currency: currency, on: sql, flavor: flavor)
            try await Self.upsert(table: "program_budgets", key: "program_id", id: program, currency: currency, minor: minor,
                                  by: viewer, at: now, on: sql)
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .program, subjectID: program, action: "budget_set",
                detail: "Program budget in \(currency.code): \(Money(minorUnits: minor, currency: currency))"), on: sql)
        }
    }

    /// Clears the program's budget in `currency`: no limit in that currency any more.
    public func clearProgramBudget(currency: String, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        let currency = try BudgetInput.currency(currency)
        let flavor = db.flavor
        try await db.write(changesClaims: false) { sql in
            let program = try await Self.programID(on: sql)
            try await TransactionLocks.budget(program: program, currency: currency, on: sql, flavor: flavor)
            let removed = try await sql.raw("""
                DELETE FROM program_budgets WHERE program_id = \(bind: program) AND currency = \(bind: currency.code) RETURNING currency
                """).all()
            guard !removed.isEmpty else { throw StoreError.notFound("The program has no budget in \(currency.code).") }
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .program, subjectID: program, action: "budget_cleared",
                                                          detail: "Program budget in \(currency.code) cleared"), on: sql)
        }
    }

    /// Sets an engagement's budget; `currency`, when given, must be the engagement's own (a budget is never compared
    /// with money of another currency).
    public func setEngagementBudget(_ id: Int64, amount: String, currency: String?, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        let flavor = db.flavor
        try await db.write(changesClaims: false) { sql in
            let engagement = try await Self.engagement(id, on: sql)
            if let currency, !currency.trimmingCharacters(in: .whitespaces).isEmpty,
               try BudgetInput.currency(currency) != engagement.currency {
                throw InputRefusal(field: "currency", .invalid,
                                   "\(engagement.name) pays in \(engagement.currency.code): give its budget in \(engagement.currency.code).")
            }
            let minor = try BudgetInput.amountMinor(amount, currency: engagement.currency)
            try await TransactionLocks.budget(program: engagement.programID, currency: engagement.currency, on: sql, flavor: flavor)
            try await sql.raw("DELETE FROM engagement_budgets WHERE engagement_id = \(bind: id)").run()
            try await Self.upsert(table: "engagement_budgets", key: "engagement_id", id: id, currency: engagement.currency, minor: minor,
                                  by: viewer, at: now, on: sql)
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagement, subjectID: id, action: "budget_set",
                engagementID: id, detail: "Budget of \(engagement.name): \(Money(minorUnits: minor, currency: engagement.currency))"), on: sql)
        }
    }

    /// Clears an engagement's budget: no limit of its own any more.
    public func clearEngagementBudget(_ id: Int64, by viewer: Viewer, at now: Date) async throws {
        try Self.requireManager(viewer)
        let flavor = db.flavor
        try await db.write(changesClaims: false) { sql in
            let engagement = try await Self.engagement(id, on: sql)
            try await TransactionLocks.budget(program: engagement.programID, currency: engagement.currency, on: sql, flavor: flavor)
            let removed = try await sql.raw("DELETE FROM engagement_budgets WHERE engagement_id = \(bind: id) RETURNING engagement_id").all()
            guard !removed.isEmpty else { throw StoreError.notFound("\(engagement.name) has no budget.") }
            try await ProgramChanges.record(ProgramChange(by: viewer, at: now, subject: .engagement, subjectID: id, action: "budget_cleared",
                engagementID: id, detail: "Budget of \(engagement.name) cleared"), on: sql)
        }
    }

    /// Budgets are the program manager's; the routes check it too, this is the last guard.
    static func requireManager(_ viewer: Viewer) throws {
        guard viewer.vendorRole == .programManager else { throw StoreError.notFound("Budgets are the program manager's.") }
    }

    private static func programID(on sql: any SQLDatabase) async throws -> Int64 {
        guard let id = try await sql.raw("SELECT id FROM programs ORDER BY id LIMIT 1").first(decodingColumn: "id", as: Int64.self) else {
            throw StoreError.notFound("Set up the program first.")
        }
        return id
    }

    struct EngagementFacts: Decodable {
        var id: Int64; var programId: Int64; var name: String; var currencyCode: String
        var programID: Int64 { programId }
        var currency: Currency { Currency(currencyCode) }
    }

    static func engagement(_ id: Int64, on sql: any SQLDatabase) async throws -> EngagementFacts {
        guard let row = try await engagementIfAny(id, on: sql) else { throw StoreError.notFound("No engagement \(id).") }
        return row
    }

    static func engagementIfAny(_ id: Int64, on sql: any SQLDatabase) async throws -> EngagementFacts? {
        try await sql.raw("""
            SELECT id, program_id, name, currency AS currency_code FROM engagements WHERE id = \(bind: id)
            """).first(decoding: EngagementFacts.self, with: .snakeCase)
    }

    private static func upsert(table: String, key: String, id: Int64, currency: Currency, minor: Int64, by viewer: Viewer, at now: Date,
                               on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: key), currency, amount_minor, updated_at, updated_by)
            VALUES (\(bind: id), \(bind: currency.code), \(bind: minor), \(bind: now), \(bind: viewer.name))
            ON CONFLICT (\(unsafeRaw: key), currency) DO UPDATE SET amount_minor = excluded.amount_minor,
              updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """).run()
    }
}

extension Budgets {
    // MARK: Reads

    /// The report: every engagement's figures in its currency, the program's per currency, and the budgets' history.
    public func overview() async throws -> BudgetOverview {
        try await db.read { sql in
            let program = try await sql.raw("SELECT id FROM programs ORDER BY id LIMIT 1").first(decodingColumn: "id", as: Int64.self)
            let figures = try await BudgetSQL.figures(.all, on: sql)
            let budgets = try await Self.engagementBudgets(.all, on: sql)
            let engagements = try await sql.raw("""
                SELECT id, program_id, name, currency AS currency_code FROM engagements ORDER BY name, id
                """).all(decoding: EngagementFacts.self, with: .snakeCase)
            let lines = engagements.map { row in
                let key = BalanceKey(engagementID: row.id, currency: row.currency)
                var line = figures[key] ?? BudgetFigures(currency: row.currency, budgetMinor: nil)
                line.budgetMinor = budgets[key]
                return EngagementBudgetLine(id: row.id, name: row.name, figures: line)
            }
            let programBudgets = try await Self.programBudgets(on: sql)
            var perCurrency: [Currency: BudgetFigures] = [:]
            for currency in Set(programBudgets.keys).union(engagements.map(\.currency)) {
                perCurrency[currency] = BudgetFigures(currency: currency, budgetMinor: programBudgets[currency])
            }
            for (key, value) in figures { perCurrency[key.currency, default: BudgetFigures(currency: key.currency, budgetMinor: nil)].add(value) }
            let history = try await ProgramChanges.entries(where: "action IN ('budget_set', 'budget_cleared')", on: sql)
            return BudgetOverview(programID: program, program: perCurrency.values.sorted { $0.currency.code < $1.currency.code },
                                  engagements: lines, history: history)
        }
    }

    /// The reconciliation of every engagement and currency that has earnings, by engagement name.
    public func reconciliation() async throws -> [ReconciliationLine] {
        try await db.read { sql in
            let balances = try await BudgetSQL.reconciliation(.all, on: sql)
            let names = Dictionary(try await sql.raw("SELECT id, name FROM engagements").all(decoding: IDName.self).map { ($0.id, $0.name) },
                                   uniquingKeysWith: { a, _ in a })
            return balances.map { key, balance in
                ReconciliationLine(engagementID: key.engagementID, engagementName: names[key.engagementID] ?? "Engagement \(key.engagementID)",
                                   currency: key.currency, balance: balance)
            }.sorted { ($0.engagementName, $0.engagementID, $0.currency.code) < ($1.engagementName, $1.engagementID, $1.currency.code) }
        }
    }

    private struct IDName: Decodable { var id: Int64; var name: String }

    static func engagementBudgets(_ scope: BudgetSQL.Scope, on sql: any SQLDatabase) async throws -> [BalanceKey: Int64] {
        struct Row: Decodable { var engagementId: Int64; var currency: String; var amountMinor: Int64 }
        let rows = try await sql.raw("""
            SELECT engagement_id, currency, amount_minor FROM engagement_budgets WHERE \(scope.condition("engagement_id"))
            """).all(decoding: Row.self, with: .snakeCase)
        return Dictionary(rows.map { (BalanceKey(engagementID: $0.engagementId, currency: Currency($0.currency)), $0.amountMinor) },
                          uniquingKeysWith: { a, _ in a })
    }

    static func programBudgets(on sql: any SQLDatabase) async throws -> [Currency: Int64] {
        struct Row: Decodable { var currency: String; var amountMinor: Int64 }
        let rows = try await sql.raw("SELECT currency, amount_minor FROM program_budgets").all(decoding: Row.self, with: .snakeCase)
        return Dictionary(rows.map { (Currency($0.currency), $0.amountMinor) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Budgets {
    // MARK: New claims

    /// A claim a partner may add: its engagement, the engagement's program and currency, and what it is expected to cost.
    struct Candidate: Sendable, Hashable {
        var engagementID: Int64
        var programID: Int64
        var currency: Currency
        var expectedMinor: Int64
    }

    /// What the engagement's budget and the program's budget in its currency say of each candidate. Reads nothing more
    /// than the budgets when none is set (no budget, no limit).
    static func verdicts(for candidates: [Candidate], on sql: any SQLDatabase) async throws -> [Int64: BudgetVerdict] {
        guard !candidates.isEmpty else { return [:] }
        let engagementBudgets = try await engagementBudgets(.engagements(candidates.map(\.engagementID)), on: sql)
        let programBudgets = try await sql.raw("SELECT program_id, currency, amount_minor FROM program_budgets")
            .all(decoding: ProgramBudgetRow.self, with: .snakeCase)
        guard !engagementBudgets.isEmpty || !programBudgets.isEmpty else { return [:] }
        let budgeted = Set(engagementBudgets.keys.map(\.engagementID))
        let engagementFigures = budgeted.isEmpty ? [:] : try await BudgetSQL.figures(.engagements(budgeted.sorted()), on: sql)
        var programFigures: [ProgramCurrency: BudgetFigures] = [:]
        for budget in programBudgets where candidates.contains(where: { $0.programID == budget.programId && $0.currency.code == budget.currency }) {
            let currency = Currency(budget.currency)
            var total = BudgetFigures(currency: currency, budgetMinor: budget.amountMinor)
            for (key, figures) in try await BudgetSQL.figures(.program(budget.programId), on: sql) where key.currency == currency {
                total.add(figures)
            }
            programFigures[ProgramCurrency(program: budget.programId, currency: currency)] = total
        }
        var verdicts: [Int64: BudgetVerdict] = [:]
        for candidate in candidates {
            let key = BalanceKey(engagementID: candidate.engagementID, currency: candidate.currency)
            let engagement = engagementBudgets[key].map { budget -> BudgetFigures in
                var figures = engagementFigures[key] ?? BudgetFigures(currency: candidate.currency, budgetMinor: nil)
                figures.budgetMinor = budget
                return figures
            }
            verdicts[candidate.engagementID] = BudgetVerdict.decide(
                expectedMinor: candidate.expectedMinor, engagement: engagement,
                program: programFigures[ProgramCurrency(program: candidate.programID, currency: candidate.currency)])
        }
        return verdicts
    }

    private struct ProgramBudgetRow: Decodable { var programId: Int64; var currency: String; var amountMinor: Int64 }
    private struct ProgramCurrency: Hashable { var program: Int64; var currency: Currency }
}
