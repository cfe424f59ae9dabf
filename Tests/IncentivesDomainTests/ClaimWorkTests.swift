import Foundation
import Testing
import IncentivesDomain

/// A ZIP made of stored local entries (no compression), enough for the sniffer to read part names.
func zipBytes(_ names: [String], streamed: Bool = false) -> [UInt8] {
    var bytes: [UInt8] = []
    func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16) }
    for name in names {
        let body = Array("<x/>".utf8)
        let nameBytes = Array(name.utf8)
        bytes += [0x50, 0x4B, 0x03, 0x04] + le16(20) + le16(streamed ? 0x08 : 0) + le16(0) + le16(0) + le16(0)
        bytes += le32(0) + le32(streamed ? 0 : body.count) + le32(streamed ? 0 : body.count)
        bytes += le16(nameBytes.count) + le16(0) + nameBytes + body
    }
    return bytes + [0x50, 0x4B, 0x05, 0x06] + Array(repeating: 0, count: 18)
}

@Suite("Claim work: documents, surveys, reasons, who may change the bundle")
struct ClaimWorkTests {
    @Test("Documents are recognised by their content, not their name")
    func sniffing() {
        #expect(DocumentFormat.sniff(Array("%PDF-1.7\n...".utf8)) == .pdf)
        #expect(DocumentFormat.sniff([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]) == .png)
        #expect(DocumentFormat.sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]) == .jpeg)
        #expect(DocumentFormat.sniff(zipBytes(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])) == .docx)
        #expect(DocumentFormat.sniff(zipBytes(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])) == .xlsx)
        #expect(DocumentFormat.sniff(zipBytes(["[Content_Types].xml", "word/document.xml"], streamed: true)) == .docx)
        // A ZIP that is no Office document, an executable, text pretending to be a PDF, nothing.
        #expect(DocumentFormat.sniff(zipBytes(["readme.txt", "setup.exe"])) == nil)
        #expect(DocumentFormat.sniff([0x4D, 0x5A, 0x90, 0x00]) == nil)
        #expect(DocumentFormat.sniff(Array("hello %PDF-".utf8)) == nil)
        #expect(DocumentFormat.sniff([]) == nil)
        // Both kinds of parts: not one document.
        #expect(DocumentFormat.sniff(zipBytes(["[Content_Types].xml", "word/document.xml", "xl/workbook.xml"])) == nil)
    }

    @Test("Uploads: empty, too large and unknown types are refused with a sentence")
    func uploadPolicy() {
        let policy = UploadPolicy(maxBytes: 1024)
        let pdf = Array("%PDF-1.4 signed".utf8)
        #expect(policy.check(fileName: "a.pdf", bytes: []).failure == .empty)
        #expect(policy.check(fileName: "a.pdf", bytes: pdf + Array(repeating: 0, count: 1024)).failure == .tooLarge("1 KB"))
        #expect(policy.check(fileName: "a.pdf", bytes: Array("just text".utf8)).failure == .unsupportedType)
        #expect(policy.check(fileName: "a.pdf", bytes: pdf).success?.format == .pdf)
        #expect(UploadPolicy().limitText == "25 MB")
        for problem in [UploadProblem.empty, .tooLarge("25 MB"), .unsupportedType, .noFile] {
            #expect(sentenceProblems(problem.description).isEmpty, "\(problem)")
        }
    }

    @Test("File names are cut to their last part, cleaned, and end in what the file really is")
    func safeNames() {
        #expect(UploadPolicy.safeName("C:\\Users\\me\\Invoice 2026.pdf", format: .pdf) == "Invoice 2026.pdf")
        #expect(UploadPolicy.safeName("../../etc/passwd", format: .pdf) == "passwd.pdf")
        #expect(UploadPolicy.safeName("report.exe", format: .docx) == "report.docx")
        #expect(UploadPolicy.safeName("<script>\"x\".png", format: .png) == "script__x.png")
        #expect(UploadPolicy.safeName("...", format: .jpeg) == "document.jpg")
        #expect(UploadPolicy.safeName(String(repeating: "a", count: 300) + ".pdf", format: .pdf).count == 94)
        #expect(UploadPolicy.safeName("Übersicht ñ.xlsx", format: .xlsx) == "Übersicht ñ.xlsx")
    }

    @Test("Surveys: required answers, real past dates, ratings 1 to 5, yes or no")
    func surveys() {
        let today = DayDate(year: 2026, month: 11, day: 25)
        let good = Survey.partner.validate(["delivered": "Two-day workshop", "delivered_on": "2026-11-20", "products": "Compute"], today: today)
        #expect(good.errors.isEmpty)
        #expect(good.answers.map(\.id) == ["delivered", "delivered_on", "products"])
        let bad = Survey.partner.validate(["delivered": "  ", "delivered_on": "2026-11-26", "products": "x"], today: today)
        #expect(bad.errors["delivered"] == "Answer this question.")
        #expect(bad.errors["delivered_on"] == "The date can't be in the future.")
        #expect(Survey.partner.validate(["delivered_on": "20/11/2026"], today: today).errors["delivered_on"] == "Give a date like 2026-11-20.")
        let customer = Survey.customer.validate(["delivered_as_described": "maybe", "satisfaction": "6"], today: today)
        #expect(customer.errors["delivered_as_described"] == "Answer yes or no.")
        #expect(customer.errors["satisfaction"] == "Choose 1 to 5.")
        #expect(Survey.customer.validate(["delivered_as_described": "yes", "satisfaction": "5"], today: today).errors.isEmpty)
        #expect(Survey.customer.validate(["delivered_as_described": "yes", "satisfaction": "5", "comments": String(repeating: "x", count: 2001)],
                                         today: today).errors["comments"] != nil)
    }

    @Test("Coded reasons: only the action's codes, 'Other' needs words, the note reads as a sentence part")
    func reasons() throws {
        #expect(try ReviewReason.note(.missingCustomerSignature, text: "page 2", for: .requestInformation) == "Missing customer signature: page 2")
        #expect(try ReviewReason.note(.duplicateClaim, text: "", for: .reject) == "Duplicate of another claim")
        #expect(try ReviewReason.note(.other, text: " Wrong customer ", for: .reject) == "Wrong customer")
        #expect(throws: ClaimRefusal.self) { try ReviewReason.note(.other, text: " ", for: .requestInformation) }
        #expect(throws: ClaimRefusal.self) { try ReviewReason.note(.duplicateClaim, text: "x", for: .requestInformation) }
        #expect(throws: ClaimRefusal.self) { try ReviewReason.note(nil, text: "x", for: .reject) }
        #expect(Set(ReviewReason.offered(for: .requestInformation)).isDisjoint(with: ReviewReason.offered(for: .reject).filter { $0 != .other }))
        #expect(ReviewReason.offered(for: .approve).isEmpty)
    }

    @Test("Proof is the partner's to change only while the claim is with them")
    func proofEditors() {
        let partners: Set<ActorRole> = [.incentivesAdmin, .incentivesUser]
        for status in ClaimStatus.allCases {
            let pa = ClaimLifecycle.proofEditors(for: Fixture.claim(kind: .partnerActivities, status: status))
            let cpor = ClaimLifecycle.proofEditors(for: Fixture.claim(kind: .useOrConsume, status: status))
            switch status {
            case .consentReceived, .partnerActionRequired: #expect(pa == partners)
            case .disputed: #expect(pa == [.incentivesAdmin])
            default: #expect(pa.isEmpty, "\(status)")
            }
            switch status {
            case .customerClaimed, .partnerActionRequired, .disputed: #expect(cpor == [.incentivesAdmin])
            default: #expect(cpor.isEmpty, "\(status)")
            }
            // Never the reviewer, never after the end.
            #expect(!pa.contains(.reviewer) && !cpor.contains(.reviewer))
            if status.isTerminal { #expect(pa.isEmpty && cpor.isEmpty) }
        }
    }

    @Test("Contacts lock once the customer answered the survey, and after submission")
    func contactEditors() {
        let draft = Fixture.claim(kind: .partnerActivities, status: .consentReceived)
        #expect(ClaimLifecycle.contactEditors(for: draft, customerSurveyAnswered: false) == [.incentivesAdmin, .incentivesUser])
        #expect(ClaimLifecycle.contactEditors(for: draft, customerSurveyAnswered: true).isEmpty)
        let submitted = Fixture.claim(kind: .partnerActivities, status: .partnerActionRequired, firstSubmittedAt: Fixture.created)
        #expect(ClaimLifecycle.contactEditors(for: submitted, customerSurveyAnswered: false).isEmpty)
        #expect(ClaimLifecycle.contactEditors(for: Fixture.claim(kind: .useOrConsume, status: .customerClaimed),
                                              customerSurveyAnswered: false) == [.incentivesAdmin])
    }

    @Test("Hours: a positive number up to the maximum, on variable pay only; the amount follows")
    func hours() throws {
        let variable = Fixture.engagement(kind: .partnerActivities, versions: [Fixture.version(payModel: .variable,
            rates: MarketRates(currency: .usd, a: 150, b: 100, c: 50), maxHours: 40)])
        let context = Fixture.context(kind: .partnerActivities, engagement: variable, market: .b)
        let claim = Fixture.claim(kind: .partnerActivities, status: .consentReceived, amount: nil)
        let next = try ClaimLifecycle.enterHours("12.5", on: claim, context: context)
        #expect(next.hours == dec("12.5"))
        #expect(next.amount == usd("1250"))
        for bad in ["", "0", "-3", "41", "1e3", "twelve", "12,5"] {
            #expect(throws: ClaimRefusal.self, "\(bad)") { try ClaimLifecycle.enterHours(bad, on: claim, context: context) }
        }
        #expect(throws: ClaimRefusal.self) {
            try ClaimLifecycle.enterHours("3", on: claim, context: Fixture.context(kind: .partnerActivities))
        }
    }

    @Test("Work on the bundle never moves a claim through perform")
    func bundleActionsAreNotTransitions() {
        let bundle = ClaimAction.allCases.filter { !$0.isTransition }
        #expect(Set(bundle) == [.addProof, .removeProof, .enterHours, .sendSurvey, .answerSurvey, .changeContacts])
        for status in ClaimStatus.allCases where !status.isTerminal {
            let claim = Fixture.claim(kind: .partnerActivities, status: status)
            for action in bundle {
                let result = tryPerform(ClaimCommand(action, by: actor(.incentivesAdmin)), on: claim,
                                        context: Fixture.context(kind: .partnerActivities), at: Fixture.created)
                #expect(result.failure == .notNow(action, status))
            }
        }
    }
}

@Suite("Notes on claims")
struct ClaimNoteTests {
    @Test("a note is trimmed, nil when empty, and refused past 4000 code points (as the API's contract counts)")
    func limits() throws {
        #expect(try ClaimNote.words("  Customer chose another partner \n") == "Customer chose another partner")
        #expect(try ClaimNote.words(" \n ") == nil)
        #expect(try ClaimNote.words(String(repeating: "a", count: 4_000))?.count == 4_000)
        #expect(throws: ClaimRefusal.cannotClaim("Keep the note under 4000 characters; nothing was changed.")) {
            try ClaimNote.words(String(repeating: "a", count: 4_001))
        }
        // 2,001 letters with a combining accent: 2,001 characters on screen, 4,002 code points.
        #expect(throws: ClaimRefusal.self) { try ClaimNote.words(String(repeating: "e\u{301}", count: 2_001)) }
        #expect(throws: ClaimRefusal.self) {
            try ReviewReason.note(.missingProof, text: String(repeating: "x", count: 4_001), for: .requestInformation)
        }
    }
}
