import Foundation

/// The coded reasons a reviewer gives when asking for more information or rejecting (issue 5): codes
/// so the program can count why claims come back; "Other" needs words.
public enum ReviewReason: String, CaseIterable, Sendable, Codable {
    // Asking for more information.
    case missingProof = "missing_poe"
    case missingCustomerSignature = "missing_customer_signature"
    case missingOrOldDates = "missing_or_old_dates"
    case missingProducts = "missing_products"
    // Rejecting.
    case notEligible = "not_eligible"
    case proofDoesNotShowActivity = "proof_does_not_show_activity"
    case duplicateClaim = "duplicate_claim"
    case outsideEngagementDates = "outside_engagement_dates"
    case other

    public var label: String {
        switch self {
        case .missingProof: "Missing proof of execution"
        case .missingCustomerSignature: "Missing customer signature"
        case .missingOrOldDates: "Missing or outdated dates"
        case .missingProducts: "Missing products or workloads"
        case .notEligible: "Customer or location not eligible"
        case .proofDoesNotShowActivity: "Proof does not show the activity"
        case .duplicateClaim: "Duplicate of another claim"
        case .outsideEngagementDates: "Activity outside the engagement's dates"
        case .other: "Other"
        }
    }

    /// The codes offered for an action (a request for information, or a rejection).
    public static func offered(for action: ClaimAction) -> [ReviewReason] {
        switch action {
        case .requestInformation: [.missingProof, .missingCustomerSignature, .missingOrOldDates, .missingProducts, .other]
        case .reject: [.notEligible, .proofDoesNotShowActivity, .duplicateClaim, .outsideEngagementDates, .other]
        default: []
        }
    }

    /// The history note for a coded reason: "Missing customer signature: the form on page 2 is unsigned".
    /// "Other" is only its words, which it must have.
    public static func note(_ code: ReviewReason?, text: String, for action: ClaimAction) throws(ClaimRefusal) -> String {
        let words = try ClaimNote.words(text) ?? ""
        guard let code, offered(for: action).contains(code) else {
            throw .cannotClaim("Choose a reason from the list.")
        }
        if code == .other {
            guard !words.isEmpty else { throw .cannotClaim("Say what is wrong: \"Other\" needs a few words.") }
            return words
        }
        return words.isEmpty ? code.label : "\(code.label): \(words)"
    }
}

/// The formats proof of execution may come in, recognised by their content, never by the name or the
/// browser's claim (DOMAIN.md: documents a reviewer can open).
public enum DocumentFormat: String, CaseIterable, Sendable, Codable {
    case pdf, docx, xlsx, png, jpeg

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        }
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    public var label: String { self == .jpeg ? "JPEG" : rawValue.uppercased() }

    /// The format of a file from its bytes. Word and Excel files are both ZIP packages; the part names
    /// inside (`word/…`, `xl/…`) tell them apart. Anything else (including other ZIPs) is nil.
    public static func sniff(_ bytes: [UInt8]) -> DocumentFormat? {
        func starts(_ prefix: [UInt8]) -> Bool { bytes.count >= prefix.count && Array(bytes.prefix(prefix.count)) == prefix }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        guard starts([0x50, 0x4B, 0x03, 0x04]) else { return nil }
        // Part names of the ZIP's local headers: name length at offset 26, extra length at 28, name at 30.
        var offset = 0
        var isPackage = false, word = false, excel = false
        while offset + 30 <= bytes.count, bytes[offset..<offset + 4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) {
            let flags = Int(bytes[offset + 6]) | Int(bytes[offset + 7]) << 8
            let compressed = Int(bytes[offset + 18]) | Int(bytes[offset + 19]) << 8 | Int(bytes[offset + 20]) << 16 | Int(bytes[offset + 21]) << 24
            let nameLength = Int(bytes[offset + 26]) | Int(bytes[offset + 27]) << 8
            let extraLength = Int(bytes[offset + 28]) | Int(bytes[offset + 29]) << 8
            guard offset + 30 + nameLength <= bytes.count else { break }
            let name = String(decoding: bytes[offset + 30..<offset + 30 + nameLength], as: UTF8.self)
            if name == "[Content_Types].xml" { isPackage = true }
            if name.hasPrefix("word/") { word = true }
            if name.hasPrefix("xl/") { excel = true }
            // A streamed entry (flag bit 3) does not say its size up front: stop walking, decide on what was seen.
            if flags & 0x08 != 0 { break }
            offset += 30 + nameLength + extraLength + compressed
        }
        if !(word || excel) {
            // Writers that stream every part: find the part names anywhere in the file.
            word = contains(bytes, Array("word/document.xml".utf8))
            excel = contains(bytes, Array("xl/workbook.xml".utf8))
            isPackage = isPackage || contains(bytes, Array("[Content_Types].xml".utf8))
        }
        guard isPackage, word != excel else { return nil }
        return word ? .docx : .xlsx
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var i = 0
        let last = bytes.count - needle.count
        while i <= last {
            if bytes[i] == first && bytes[i..<i + needle.count].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}

/// What an upload of proof must satisfy; every problem is a sentence for the form.
public struct UploadPolicy: Sendable, Hashable {
    public var maxBytes: Int

    public init(maxBytes: Int = 25 * 1024 * 1024) { self.maxBytes = maxBytes }

    public var limitText: String {
        maxBytes % (1024 * 1024) == 0 ? "\(maxBytes / (1024 * 1024)) MB" : "\(maxBytes / 1024) KB"
    }

    /// Checks a received file; returns its format and a safe name, or the reason it is refused.
    public func check(fileName: String, bytes: [UInt8]) -> Result<(format: DocumentFormat, name: String), UploadProblem> {
        if bytes.isEmpty { return .failure(.empty) }
        if bytes.count > maxBytes { return .failure(.tooLarge(limitText)) }
        guard let format = DocumentFormat.sniff(bytes) else { return .failure(.unsupportedType) }
        return .success((format, Self.safeName(fileName, format: format)))
    }

    /// A name safe to show and to send back in a header: the last path part, letters, digits and a few
    /// marks, at most 100 characters, ending in the extension of what the file really is.
    public static func safeName(_ raw: String, format: DocumentFormat) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var kept = String(last.unicodeScalars.map { scalar -> Character in
            if CharacterSet.alphanumerics.contains(scalar) || " .-_()".unicodeScalars.contains(scalar) { return Character(scalar) }
            return "_"
        })
        kept = kept.trimmingCharacters(in: CharacterSet(charactersIn: " ._"))
        var stem = kept
        if let dot = kept.lastIndex(of: ".") { stem = String(kept[..<dot]) }
        stem = String(stem.trimmingCharacters(in: CharacterSet(charactersIn: " ._")).prefix(90))
        if stem.isEmpty { stem = "document" }
        return "\(stem).\(format.fileExtension)"
    }
}

public enum UploadProblem: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    case tooLarge(String)
    case unsupportedType
    case noFile

    public var description: String {
        switch self {
        case .empty: "The file is empty. Choose the document again."
        case .tooLarge(let limit): "The file is larger than \(limit). Save a smaller copy (a PDF of the signed pages, for instance) and upload that."
        case .unsupportedType: "This file is not a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG document. Save it in one of those formats."
        case .noFile: "Choose a file to upload."
        }
    }
}

/// One question of a short survey.
public struct SurveyQuestion: Hashable, Sendable {
    public enum Answer: Hashable, Sendable { case text, longText, date, yesNo, rating }
    public var id: String
    public var prompt: String
    public var answer: Answer
    public var required: Bool
}

/// The two surveys proof of execution may ask for: the partner's account of the work, and the customer's
/// confirmation of it (answered from an emailed link, without an account).
public enum Survey: String, Sendable, CaseIterable {
    case partner, customer

    public var kind: ProofRequirement.Kind { self == .partner ? .partnerSurvey : .customerSurvey }

    public var questions: [SurveyQuestion] {
        switch self {
        case .partner: [
            SurveyQuestion(id: "delivered", prompt: "What did you deliver?", answer: .longText, required: true),
            SurveyQuestion(id: "delivered_on", prompt: "When was it delivered?", answer: .date, required: true),
            SurveyQuestion(id: "products", prompt: "Products or workloads covered", answer: .text, required: true),
            SurveyQuestion(id: "outcome", prompt: "What did the customer decide or achieve?", answer: .longText, required: false),
        ]
        case .customer: [
            SurveyQuestion(id: "delivered_as_described", prompt: "Did the partner deliver the activity described?", answer: .yesNo, required: true),
            SurveyQuestion(id: "satisfaction", prompt: "How satisfied are you with it? (1 = not at all, 5 = very)", answer: .rating, required: true),
            SurveyQuestion(id: "comments", prompt: "Anything else the vendor should know?", answer: .longText, required: false),
        ]
        }
    }

    /// The earliest delivery date an answer may give: the program's work is of this century.
    public static let earliestDay = DayDate(year: 2000, month: 1, day: 1)

    /// Validates posted answers: every required one given, dates real, not in the future nor before
    /// `earliestDay`, ratings 1 to 5, texts by `TextRule.surveyAnswer`. Returns the answers in question order
    /// and the errors by question id (the answers count only when there are no errors).
    public func validate(_ fields: [String: String], today: DayDate) -> (answers: [(id: String, value: String)], errors: [String: String]) {
        var answers: [(String, String)] = []
        var errors: [String: String] = [:]
        for q in questions {
            let value = (fields[q.id] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if value.isEmpty {
                if q.required { errors[q.id] = "Answer this question." }
                continue
            }
            switch q.answer {
            case .text, .longText:
                do throws(InputRefusal) { _ = try TextRule.surveyAnswer.check(value, field: q.id) } catch { errors[q.id] = error.message }
            case .date:
                guard let day = DayDate(value) else { errors[q.id] = "Give a date like 2026-11-20."; continue }
                if day > today { errors[q.id] = "The date can't be in the future." }
                if day < Self.earliestDay { errors[q.id] = "Give the date the work was delivered; this one is before \(Self.earliestDay.text)." }
            case .yesNo:
                if value != "yes" && value != "no" { errors[q.id] = "Answer yes or no." }
            case .rating:
                if !["1", "2", "3", "4", "5"].contains(value) { errors[q.id] = "Choose 1 to 5." }
            }
            answers.append((q.id, value))
        }
        return (answers, errors)
    }
}

/// What a customer contact answered on their link.
public enum CustomerAnswer: String, Sendable, Codable {
    case accepted, declined, revoked, answered
}

extension ClaimLifecycle {
    /// Who may add, replace or remove proof of execution (and enter hours) on a claim now: the partner
    /// while the claim is theirs to prepare (after consent, on a request for more information, in a
    /// dispute), never once it is with the reviewer or finished.
    public static func proofEditors(for claim: Claim) -> Set<ActorRole> {
        switch (claim.kind, claim.status) {
        case (.partnerActivities, .consentReceived), (.partnerActivities, .partnerActionRequired): partners
        case (.partnerActivities, .disputed): admin
        case (.useOrConsume, .customerClaimed), (.useOrConsume, .partnerActionRequired), (.useOrConsume, .disputed): admin
        default: []
        }
    }

    /// Refuses a change to the bundle ("Proof", "Hours", "The survey") the role may not make in the claim's status.
    public static func checkProofEditor(_ role: ActorRole, on claim: Claim, what: String = "Proof") throws(ClaimRefusal) {
        guard proofEditors(for: claim).contains(role) else {
            throw .cannotClaim("\(what) can't be changed while the claim is \(claim.status.label).")
        }
    }

    /// Who may change a claim's customer contacts now: the partner until the claim is submitted; never
    /// once the customer answered the survey (the answer belongs to those contacts).
    public static func contactEditors(for claim: Claim, customerSurveyAnswered: Bool) -> Set<ActorRole> {
        if customerSurveyAnswered || claim.status.isTerminal || claim.firstSubmittedAt != nil { return [] }
        return claim.kind == .useOrConsume ? admin : partners
    }

    /// The most hours one claim may count, whatever its engagement's maximum: more is a typing mistake.
    public static let hoursCeiling: Decimal = 10_000

    /// Variable pay: hours delivered, at most the version's maximum; the claim's amount follows.
    public static func enterHours(_ text: String, on claim: Claim, context: ClaimContext) throws(ClaimRefusal) -> Claim {
        let version = context.version(of: claim)
        guard version.payModel == .variable else { throw .cannotClaim("This engagement pays a fixed amount; it does not count hours.") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // ASCII digits and at most one point: Decimal would read "12.5.1" as 12.5 and other scripts' digits not at all.
        guard trimmed.count <= 12, trimmed.filter({ $0 == "." }).count <= 1,
              trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let hours = Decimal(string: trimmed, locale: Locale(identifier: "en_US_POSIX")), hours > 0 else {
            throw .cannotClaim("Give the hours delivered as a number, like 12 or 7.5.")
        }
        if hours > hoursCeiling { throw .cannotClaim("Give the hours delivered on this claim: at most \(hoursCeiling).") }
        if let max = version.maxHours, hours > max { throw .cannotClaim("This engagement pays at most \(max) hours per claim.") }
        var next = claim
        next.hours = hours
        next.amount = Pricing.expectedAmount(version: version, market: context.market, hours: hours)
        return next
    }
}

/// What a person writes on a claim: the note of an action (a justification, a reason's words) or a comment.
public enum ClaimNote {
    /// The longest note, in Unicode code points: what the API's contract (`maxLength`) counts, and never less
    /// than a browser's `maxlength` (UTF-16 units) lets through.
    public static let maxLength = 4_000

    /// Whether `text` is too long, counted as `maxLength` is.
    public static func isTooLong(_ text: String) -> Bool { text.unicodeScalars.count > maxLength }

    /// The note's words, trimmed; nil when there are none; refused when longer than `maxLength`.
    public static func words(_ text: String) throws(ClaimRefusal) -> String? {
        let words = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if isTooLong(words) { throw .cannotClaim("Keep the note under \(maxLength) characters; nothing was changed.") }
        do throws(InputRefusal) { _ = try TextRule.note.check(words, field: "note") } catch { throw .cannotClaim(error.message) }
        return words.isEmpty ? nil : words
    }
}
