import Foundation

extension PaymentRunRules {
    /// A run's cut-off as a person types it (`YYYY-MM-DD`); the store refuses a day after today. Every surface (the API, the CLI,
    /// the payments page) reads it here, so all refuse alike.
    public static func cutoff(_ text: String, field: String = "cutoff") throws -> DayDate {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count == 10, let day = DayDate(trimmed), day.description == trimmed else {
            throw InputRefusal(field: field, .invalid, "The cut-off is a day written YYYY-MM-DD, such as 2026-11-30.")
        }
        return day
    }
}
