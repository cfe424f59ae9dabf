import Foundation
import IncentivesDomain
import Testing

@Suite("Deadline reminders: 7 days and 1 day before, each once")
struct DeadlineReminderTests {
    let due = Date(timeIntervalSince1970: 1_796_000_000)
    func at(daysBefore: Double) -> Date { due.addingTimeInterval(-daysBefore * 86_400) }

    @Test("nothing before the week; the week reminder; then the day reminder; nothing after the deadline")
    func schedule() {
        #expect(DeadlineReminder.due(at: at(daysBefore: 7.01), deadline: due, alreadySent: []) == nil)
        #expect(DeadlineReminder.due(at: at(daysBefore: 7), deadline: due, alreadySent: [])?.send == .weekBefore)
        #expect(DeadlineReminder.due(at: at(daysBefore: 3), deadline: due, alreadySent: [.weekBefore]) == nil, "sent once")
        let day = DeadlineReminder.due(at: at(daysBefore: 1), deadline: due, alreadySent: [.weekBefore])
        #expect(day?.send == .dayBefore && day?.covers == [.dayBefore])
        #expect(DeadlineReminder.due(at: at(daysBefore: 0.5), deadline: due, alreadySent: [.weekBefore, .dayBefore]) == nil)
        #expect(DeadlineReminder.due(at: due, deadline: due, alreadySent: []) == nil, "a passed deadline is the sweeper's")
    }

    @Test("a short clock gets only the day-before reminder, which also stands for the week-before one")
    func shortClock() {
        let both = DeadlineReminder.due(at: at(daysBefore: 0.5), deadline: due, alreadySent: [])
        #expect(both?.send == .dayBefore)
        #expect(Set(both?.covers ?? []) == [.weekBefore, .dayBefore])
    }

    @Test("the reminder email says what to do, when, and links to the claim")
    func email() {
        let mail = MailMessage.deadlineReminder(to: "a@bluefin.example", claimID: 9, claimName: "Harbor - Workshop", kind: .submission,
                                                reminder: .dayBefore, due: "26 Nov 2026, 09:00 UTC", link: "https://x.example/claims/9")
        #expect(mail.subject == "Harbor - Workshop: submission deadline tomorrow" && mail.claimID == 9 && mail.kind == .reminder)
        #expect(mail.body.contains("submit the claim") && mail.body.contains("26 Nov 2026, 09:00 UTC") && mail.body.contains("https://x.example/claims/9"))
    }
}
