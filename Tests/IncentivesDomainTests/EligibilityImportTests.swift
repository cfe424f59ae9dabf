import Foundation
@testable import IncentivesDomain
import Testing

@Suite("Criterion settings and eligibility imports")
struct EligibilityImportTests {
    let today = DayDate(year: 2026, month: 11, day: 25)

    @Test("an expiring status needs a later day; met and not met take none; evidence keeps to 2,000 code points")
    func settings() throws {
        let s = try CriterionSetting(status: "expiring", expiresOn: "2026-11-26", evidence: " Audit ", today: today)
        #expect(s.status == .expiring && s.expiresOn == DayDate(year: 2026, month: 11, day: 26) && s.evidence == "Audit")
        #expect(s.summary == "Met until 2026-11-26")
        for (status, day, field) in [("expiring", "", "expires_on"), ("expiring", "2026-11-25", "expires_on"), ("expiring", "2026-02-30", "expires_on"),
                                     ("met", "2027-01-01", "expires_on"), ("done", "", "status")] {
            #expect(throws: InputRefusal.self) { try CriterionSetting(status: status, expiresOn: day, evidence: "", today: today) }
            do throws(InputRefusal) { _ = try CriterionSetting(status: status, expiresOn: day, evidence: "", today: today) } catch {
                #expect(error.field == field)
            }
        }
        _ = try CriterionSetting(status: "met", expiresOn: "", evidence: String(repeating: "é", count: 2_000), today: today)
        #expect(throws: InputRefusal.self) {
            try CriterionSetting(status: "met", expiresOn: "", evidence: String(repeating: "e\u{301}", count: 1_001), today: today)
        }
    }

    @Test("an expiring result is met through the end of its day (UTC)")
    func expiry() {
        let day = DayDate(year: 2026, month: 12, day: 1)
        #expect(CriterionStatus.expiring.isMet(expiresOn: day, at: day.endUTC.addingTimeInterval(-1)))
        #expect(!CriterionStatus.expiring.isMet(expiresOn: day, at: day.endUTC))
        #expect(!CriterionStatus.expiring.isMet(expiresOn: nil, at: day.startUTC))
    }

    @Test("a listed location with no criterion is eligible; an unlisted one is not")
    func listedWithoutCriteria() {
        let payee = PayeeStanding(bankStatus: .approved, taxExpiresOn: DayDate(year: 2030, month: 1, day: 1))
        #expect(LocationEligibility(locationID: 1, enrollment: .enrolled, listed: true, criteria: [], payee: payee).isEligible)
        let off = LocationEligibility(locationID: 1, enrollment: .enrolled, listed: false, criteria: [], payee: payee)
        #expect(!off.isEligible && off.problems(at: today.startUTC).contains("Not on the engagement's eligibility list."))
    }

    @Test("CSV: quotes, doubled quotes, line breaks inside quotes and CRLF; each record keeps its first line")
    func csv() throws {
        let table = try CSVTable("location_id,action\r\n\"1\",add\r\n\"2\",\"re\"\"move\nx\"\r\n\r\n3,add", required: ["action"])
        #expect(table.records.map(\.line) == [2, 3, 6])
        #expect(table.records[1].values["action"] == "re\"move\nx")
        #expect(throws: ImportProblem.self) { try CSVTable("a,b\n\"1,2\n", required: []) }
        #expect(throws: ImportProblem.self) { try CSVTable("location_id\n1\n", required: ["action"]) }
    }

    @Test("a list import reads ids or names and reports each bad row with its line and column")
    func listImport() {
        let (lines, problems) = ListImportLine.read("organization,location,action\nBluefin,Seattle,add\n,Seattle,add\nBluefin,London,drop\n")
        #expect(lines == [ListImportLine(line: 2, place: .names(organization: "Bluefin", location: "Seattle"), action: .add)])
        #expect(problems.map(\.line) == [3, 4] && problems.map(\.column) == ["location", "action"])
        let ids = ListImportLine.read("location_id,action\n7,remove\nx,add\n")
        #expect(ids.lines.map(\.place) == [.id(7)] && ids.problems == [ImportProblem(line: 3, column: "location_id", message: "\"x\" is not a location id.")])
    }

    @Test("a criteria import checks each row's setting with the same rules as the form")
    func criteriaImport() {
        let (lines, problems) = CriteriaImportLine.read(
            "location,criterion,status,expires_on,evidence\n1,Certified,met,,ok\n1,Certified,expiring,2026-01-01,\n,X,met,,\n", today: today)
        #expect(lines.count == 1 && lines[0].setting.evidence == "ok")
        #expect(problems.map { "\($0.line):\($0.column)" } == ["3:expires_on", "4:location"])
    }
}
