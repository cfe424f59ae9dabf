import Foundation

/// What kind of "no" a refusal is: all a surface needs to choose how it answers (a page's status, the API's problem
/// type). The sentence itself is the refusal's `description`.
public enum RefusalKind: Hashable, Sendable {
    /// The program's rules don't allow it now: a claim's status, a deadline, a limit, a cap.
    case notAllowed
    /// The lifecycle gives the action to another role.
    case notYourRole
    /// A value was refused: blank, malformed, not an address.
    case invalidInput
    /// A value outside a limit the API's contract itself states (`maxLength`, `maxItems`).
    case outsideContractLimits
    /// An upload that is empty or not a document type the program accepts.
    case invalidDocument
    /// An upload over the size limit.
    case tooLarge
}

/// A refusal by a rule of the program, in words for the person who asked. Every surface answers it through one
/// table (`ErrorAnswer` in the web layer): a page shows the sentence next to the form with 422, the API answers
/// `problem+json`, the CLI prints it on one line. Never a server error.
public protocol DomainRefusal: Error, CustomStringConvertible {
    var refusalKind: RefusalKind { get }
    /// The input the refusal is about (a form field, a JSON member), to show it next to; nil for the whole request.
    var refusedInput: String? { get }
}

extension DomainRefusal {
    public var refusalKind: RefusalKind { .notAllowed }
    public var refusedInput: String? { nil }
}

extension InputRefusal: DomainRefusal {
    public var refusalKind: RefusalKind { kind == .outsideLimits ? .outsideContractLimits : .invalidInput }
    public var refusedInput: String? { field }
}

extension ClaimRefusal: DomainRefusal {
    public var refusalKind: RefusalKind {
        if case .notYourRole = self { return .notYourRole }
        return .notAllowed
    }
}

extension UploadProblem: DomainRefusal {
    public var refusalKind: RefusalKind {
        if case .tooLarge = self { return .tooLarge }
        return .invalidDocument
    }
}

extension CatalogueError: DomainRefusal {
    public var refusalKind: RefusalKind { .invalidInput }
    public var refusedInput: String? {
        switch self { case .invalid(let field, _): field }
    }
}

extension EnrollmentRefusal: DomainRefusal {
    public var description: String { message }
}
