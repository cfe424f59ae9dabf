import IncentivesDomain

extension IntakeRequest {
    /// The contract's limits on what the partner sent, checked before the intake reads or writes anything (the last
    /// guard: the pages and the API check the same rule first).
    func checkLimits() throws(InputRefusal) {
        var customerName = ""
        if case .named(let name, _, _, _) = customer { customerName = name }
        _ = try NewClaimInput(name: name, customerName: customerName, contacts: contacts.map(ContactInput.init),
                              mismatchReason: mismatchReason).checked()
    }
}
