import Foundation
import Hummingbird
import IncentivesDomain
import IncentivesStore

/// `/engagements`: what the organization may earn on, per solution area, with "N of M" locations earning.
struct EngagementPages: Sendable {
    let deps: AppDependencies
    let reads: ProgramReads

    init(deps: AppDependencies) {
        self.deps = deps
        self.reads = ProgramReads(db: deps.db)
    }

    struct EngagementLine: Sendable {
        let name: String; let role: String; let status: String; let statusTone: String; let lastClaimDay: String
        let earning: String; let earningTitle: String; let showsGreenIcon: Bool
    }
    struct AreaGroup: Sendable { let id: String; let name: String; let rows: [EngagementLine] }
    struct EngagementsView: PageView {
        let shell: Shell
        let areas: [AreaGroup]
        let hasRows: Bool
    }

    func register(on router: Router<AppRequestContext>) {
        router.get("/engagements") { request, context in
            let viewer = try context.viewer(for: .engagements, request)
            let now = deps.clock.now
            let standings = try await reads.engagements(in: viewer.scope)
            var groups: [AreaGroup] = []
            for standing in standings {
                let earning = standing.earningLocations(at: now)
                let line = EngagementLine(
                    name: standing.name, role: standing.role.label, status: standing.status.label, statusTone: standing.status.tone,
                    lastClaimDay: standing.lastClaimDay.map { deps.day($0) } ?? "No end date",
                    earning: earning.label,
                    earningTitle: "\(earning.earning) earning of \(earning.enrolled) enrolled on the list",
                    showsGreenIcon: earning.showsGreenIcon)
                if let last = groups.last, last.id == standing.solutionArea.code {
                    groups[groups.count - 1] = AreaGroup(id: last.id, name: last.name, rows: last.rows + [line])
                } else {
                    groups.append(AreaGroup(id: standing.solutionArea.code, name: standing.solutionArea.name, rows: [line]))
                }
            }
            return deps.page("engagements", EngagementsView(
                shell: Shell(context, deps: deps, title: Section.engagements.title, section: .engagements),
                areas: groups, hasRows: !groups.isEmpty))
        }

    }
}
