import Foundation

extension MailMessage {
    /// A run was sent to the bank: what it pays the location, per currency, and where its remittance advice is.
    public static func paymentSent(to email: String, reference: String, place: String, totals: [Money], link: String) -> MailMessage {
        let amounts = totals.map { "- \($0.description)" }.joined(separator: "\n")
        return MailMessage(kind: .decision, to: email, subject: "Payment \(reference) sent: \(place)", body: """
            Payment run \(reference) was sent to the bank. It pays \(place):

            \(amounts)

            The remittance advice lists every claim it pays, with its rate, market and engagement version:
            \(link)

            Banks usually credit the account within a few business days.
            """)
    }

    /// The bank returned a payment: the reason, and that the bank profile needs an update before the next run.
    public static func paymentFailed(to email: String, reference: String, place: String, amount: Money, reason: String,
                                     link: String) -> MailMessage {
        MailMessage(kind: .actionRequired, to: email, subject: "Payment \(reference) returned: update the bank profile of \(place)", body: """
            The bank returned the payment \(reference) of \(amount.description) to \(place). The reason given:

            \(reason)

            Its earnings wait for the next payment run. Update the bank profile so that the program manager can validate it:
            \(link)
            """)
    }
}
