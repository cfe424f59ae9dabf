import Foundation
import Testing
import IncentivesDomain

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and fully deterministic for a seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in a range, computed here (not by the standard library) so that a seed
    /// replays the same walk on every toolchain.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        let width = UInt64(range.upperBound - range.lowerBound) + 1
        return range.lowerBound + Int(next() % width)
    }

    mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }
}

@Suite("Claim lifecycle: random walks")
struct ClaimLifecyclePropertyTests {
    /// 8 chunks x 250 walks = 2,000 walks, run in parallel.
    static let chunks = 8
    static let walksPerChunk = 250
    static let maxSteps = 40
    static let seed: UInt64 = 0x1CE_2026
    /// Moves that end a claim early; picked less often so that walks reach the later statuses.
    static let exits: Set<ClaimAction> = [.cancel, .declineConsent, .revokeConsent, .disassociate, .loseArbitration, .reverse]
    /// A reversal window short enough that walks also see it close (time passes up to 40 days a step).
    static let reversalDays = 30

    /// A command with what a person would send along: a reversal's coded reason.
    static func command(_ action: ClaimAction, by role: ActorRole, reason: String?) -> ClaimCommand {
        ClaimCommand(action, by: actor(role), reason: reason, reversalReason: action == .reverse ? .other : nil)
    }

    @Test("SplitMix64 produces the reference sequence")
    func prngReference() {
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
        var a = SplitMix64(seed: 99), b = SplitMix64(seed: 99)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    /// The engagements a walk may run on: both kinds, fixed or variable pay, capped or not.
    static func engagement(kind: ClaimKind, variable: Bool, capped: Bool) -> Engagement {
        let rates = variable ? MarketRates(currency: .usd, a: dec("150"), b: dec("95.5"), c: dec("40.25"))
                             : MarketRates(currency: .usd, a: 5000, b: 3000, c: 1000)
        return Fixture.engagement(kind: kind, cap: capped ? usd("7000") : nil, versions: [
            Fixture.version(number: 1, effectiveFrom: at("2025-01-01T00:00:00Z"), payModel: variable ? .variable : .fixed,
                            rates: rates, maxHours: variable ? 80 : nil, deadlines: .standard(for: .assessment)),
            Fixture.version(number: 2, effectiveFrom: at("2026-03-20T00:00:00Z"), payModel: variable ? .variable : .fixed,
                            rates: rates, maxHours: variable ? 80 : nil, deadlines: .standard(for: .workshop),
                            proof: Array(Fixture.allProof.prefix(2))),
        ])
    }

    @Test("Random walks keep every invariant of the state machine", arguments: 0..<chunks)
    func randomWalks(chunk: Int) throws {
        // Work on the bundle (proof, hours, contacts) never moves a claim; `ClaimWorkTests` covers it.
        let actions = ClaimAction.allCases.filter { $0 != .create && $0.isTransition }
        let roles = ActorRole.allCases
        let holidays = WorkingCalendar(holidays: [DayDate(year: 2026, month: 3, day: 16), DayDate(year: 2026, month: 4, day: 3)])
        var master = SplitMix64(seed: Self.seed &+ UInt64(chunk))
        var violations: [String] = []
        var visited: Set<ClaimStatus> = []
        var actionsDone: Set<ClaimAction> = []
        var successfulSteps = 0
        var consistencyChecks = 0
        var terminalWalks = 0

        func fail(_ walk: Int, _ step: Int, _ message: String) {
            if violations.count < 50 { violations.append("walk \(walk) step \(step): \(message)") }
        }

        for index in 0..<Self.walksPerChunk {
            let walk = chunk * Self.walksPerChunk + index
            var rng = SplitMix64(seed: master.next())
            let kind = rng.pick(ClaimKind.allCases)
            let variable = rng.chance(30)
            let engagement = Self.engagement(kind: kind, variable: variable, capped: rng.chance(30))
            let market = rng.pick(Market.allCases)
            let calendar = rng.chance(50) ? WorkingCalendar.mondayToFriday : holidays
            let earned = rng.chance(30) ? usd("4000") : nil
            let clock = FixedClock(at("2026-03-02T08:00:00Z").addingTimeInterval(TimeInterval(rng.int(0...(20 * 86_400)))))

            let creator = kind == .useOrConsume ? actor(.incentivesAdmin) : actor(rng.pick([ActorRole.incentivesAdmin, .incentivesUser]))
            // Half the use-or-consume walks compete for their subscription: only those can lose an arbitration.
            var fullContext = ClaimContext(engagement: engagement, market: market, calendar: calendar, earnedOnEngagement: earned,
                                           providedProof: Fixture.everyProofKind, inArbitration: kind == .useOrConsume && rng.chance(50))
            let new = NewClaim(organizationID: 1, locationID: 2, customerID: 3, engagementID: engagement.id, name: "Walk \(walk)", kind: kind)
            guard case .success(let created) = tryCreate(new, by: creator, context: fullContext, at: clock.now) else {
                fail(walk, 0, "create refused")
                continue
            }
            var claim = created.claim
            // The partner enters hours for most variable-pay claims (hours are not a lifecycle move).
            if variable && rng.chance(75) { claim.hours = dec("12.5") }
            var history = [created.entry]
            var disputes = 0
            visited.insert(claim.status)

            steps: for step in 1...Self.maxSteps {
                if rng.chance(20) {
                    // Let time pass: minutes to 40 days, mostly short; now and then straight to around the
                    // due instant of the running clock, so that every expiry (and its boundary) is reached.
                    let now = clock.now
                    let running = ClaimLifecycle.openClock(for: claim, policy: fullContext.version(of: claim).deadlines, calendar: calendar)
                    if rng.chance(25), let running, running.expiry != nil, running.dueAt > now {
                        let offset = TimeInterval(rng.pick([-86_400, -60, 0, 0, 60, 86_400]))
                        clock.set(max(now.addingTimeInterval(60), running.dueAt.addingTimeInterval(offset)))
                    } else {
                        let seconds = rng.chance(75) ? rng.int(60...(2 * 86_400)) : rng.int(60...(40 * 86_400))
                        clock.advance(by: TimeInterval(seconds))
                    }
                    continue
                }
                let now = clock.now

                // What every role is offered now.
                var offered: [(role: ActorRole, action: ClaimAction)] = []
                for r in roles {
                    for a in ClaimLifecycle.availableActions(for: claim, role: r, context: fullContext, at: now) { offered.append((r, a)) }
                }

                // availableActions agrees with perform: every offered move succeeds when reason and proof are
                // supplied, and moves that are not offered are refused (but losing an arbitration, which only the
                // arbitration decides, never offered on the claim).
                var probe = claim
                if probe.hours == nil && variable { probe.hours = dec("10") }
                var probes = offered.map { ($0.role, $0.action, true) }
                for _ in 0..<2 {
                    let r = rng.pick(roles), a = rng.pick(actions)
                    if !offered.contains(where: { $0.role == r && $0.action == a }) { probes.append((r, a, false)) }
                }
                for (r, a, listed) in probes {
                    let outcome = tryPerform(Self.command(a, by: r, reason: "Supplied reason"), on: probe, context: fullContext, at: now)
                    consistencyChecks += 1
                    switch (listed, outcome) {
                    case (true, .failure(let error)):
                        fail(walk, step, "\(a) is available to \(r) in \(claim.status) but perform refused: \(error)")
                    case (false, .success(let t)) where a != .loseArbitration:
                        fail(walk, step, "\(a) by \(r) in \(claim.status) is not listed but perform went to \(t.claim.status)")
                    default:
                        break
                    }
                }

                // Pick a move: mostly one that is offered (exits less often, so walks get deep), otherwise anything.
                let role: ActorRole
                let action: ClaimAction
                if fullContext.inArbitration && rng.chance(5) {
                    // The arbitration's move, never offered on the claim: tried now and then.
                    (role, action) = (.reviewer, .loseArbitration)
                } else if rng.chance(65), !offered.isEmpty {
                    var move = rng.pick(offered)
                    for _ in 0..<5 where Self.exits.contains(move.action) { move = rng.pick(offered) }
                    (role, action) = move
                } else {
                    role = rng.pick(roles); action = rng.pick(actions)
                }
                let reason: String? = rng.chance(85) ? "Reason \(step)" : rng.pick([nil, "", "   "])
                var context = fullContext
                if rng.chance(20) { context.providedProof = Set(ProofRequirement.Kind.allCases.filter { _ in rng.chance(50) }) }

                let who = actor(role)
                let before = claim
                let result = tryPerform(Self.command(action, by: role, reason: reason), on: claim, context: context, at: now)
                switch result {
                case .failure(let error):
                    if claim != before { fail(walk, step, "a refused step changed the claim") }
                    if before.status.isTerminal && error != .terminal(before.status) {
                        fail(walk, step, "terminal \(before.status) refused \(action) with \(error) instead of terminal")
                    }
                    if error.description.isEmpty { fail(walk, step, "empty refusal for \(error)") }
                case .success(let t):
                    successfulSteps += 1
                    actionsDone.insert(action)
                    let next = t.claim
                    if !ClaimStatus.allCases.contains(next.status) { fail(walk, step, "unknown status") }
                    if before.status.isTerminal { fail(walk, step, "terminal \(before.status) accepted \(action)") }
                    if t.entry.from != before.status { fail(walk, step, "entry.from \(String(describing: t.entry.from)) != \(before.status)") }
                    if t.entry.to != next.status { fail(walk, step, "entry.to \(t.entry.to) != \(next.status)") }
                    if t.entry.action != action || t.entry.actor != who || t.entry.at != now {
                        fail(walk, step, "entry does not record the action, actor and time")
                    }
                    if t.entry.from != history.last?.to { fail(walk, step, "history chain broken") }
                    if next.version != before.version + 1 { fail(walk, step, "version \(before.version) -> \(next.version)") }
                    if before.isDisputeRound && !next.isDisputeRound { fail(walk, step, "dispute round switched off") }
                    if action == .dispute {
                        disputes += 1
                        if disputes > 1 { fail(walk, step, "second dispute accepted") }
                        if !next.isDisputeRound { fail(walk, step, "dispute did not start the dispute round") }
                    }
                    if next.status == .approved && next.amount == nil { fail(walk, step, "approved without an amount") }
                    if next.status.isExpired && !(action == .expire && role == .clock) {
                        fail(walk, step, "\(next.status) reached by \(action) by \(role)")
                    }
                    if action == .expire && role != .clock { fail(walk, step, "expired by \(role)") }
                    if action == .loseArbitration && !context.inArbitration { fail(walk, step, "lost an arbitration it was not in") }
                    if next.id != before.id || next.kind != before.kind || next.createdAt != before.createdAt {
                        fail(walk, step, "identity of the claim changed")
                    }
                    if let consent = before.consentAt, next.consentAt != consent { fail(walk, step, "consent date changed") }
                    if action == .acceptConsent && next.consentAt != now { fail(walk, step, "consent date not set") }
                    if action == .submit && next.firstSubmittedAt == nil { fail(walk, step, "first submission not recorded") }
                    if next.status == .rejected && next.rejectedAt == nil { fail(walk, step, "rejected without a date") }
                    if action == .reverse && (next.status != .rejectedFinal || t.earning != .reverse) { fail(walk, step, "reversal not final") }
                    // The store gives an approved claim its approval time and the program's window.
                    if action == .approve { fullContext.reversal = ReversalWindow(approvedAt: now, days: Self.reversalDays) }
                    claim = next
                    history.append(t.entry)
                    visited.insert(claim.status)

                    if claim.status.isTerminal {
                        // Once terminal, nothing moves it, whoever asks, whenever (a sample: every refusal is
                        // a thrown error, and the table test covers terminal statuses exhaustively).
                        for _ in 0..<16 {
                            let a = rng.pick(ClaimAction.allCases), r = rng.pick(roles)
                            let later = now.addingTimeInterval(TimeInterval(rng.int(0...(400 * 86_400))))
                            let refused = tryPerform(ClaimCommand(a, by: actor(r), reason: "x"), on: claim, context: fullContext, at: later)
                            if refused.failure != .terminal(claim.status) { fail(walk, step, "terminal \(claim.status) did not refuse \(a) by \(r)") }
                        }
                        terminalWalks += 1
                        break steps
                    }
                }
            }

            // The history is one unbroken chain from create.
            if history.first?.from != nil || history.first?.action != .create { fail(walk, -1, "history does not start with create") }
            for (previous, next) in zip(history, history.dropFirst()) where next.from != previous.to {
                fail(walk, -1, "history chain broken: \(previous.to) then \(String(describing: next.from))")
            }
            if history.count != claim.version - created.claim.version + 1 { fail(walk, -1, "history length does not match version") }
            if zip(history, history.dropFirst()).contains(where: { $0.at > $1.at }) { fail(walk, -1, "history goes back in time") }
        }

        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        // The walks must actually explore the machine, or the invariants prove little.
        #expect(visited == Set(ClaimStatus.allCases), "never reached: \(Set(ClaimStatus.allCases).subtracting(visited))")
        #expect(actionsDone == Set(actions), "never done: \(Set(actions).subtracting(actionsDone))")
        #expect(successfulSteps > Self.walksPerChunk * 4)
        #expect(consistencyChecks > Self.walksPerChunk * 10)
        #expect(terminalWalks > Self.walksPerChunk / 4)
    }
}
