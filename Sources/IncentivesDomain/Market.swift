/// The rate market of a location's country: A pays the most, C the least (DOMAIN.md 6).
public enum Market: String, CaseIterable, Sendable, Codable, Comparable {
    case a, b, c

    public var label: String { "Market \(rawValue.uppercased())" }

    /// Market A: mostly high-income countries.
    static let marketA: Set<String> = [
        "AT", "AU", "BE", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IS", "IT", "JP",
        "LU", "NL", "NO", "NZ", "SE", "US",
    ]
    /// Market B: a short list.
    static let marketB: Set<String> = [
        "AE", "CL", "CZ", "HK", "IL", "KR", "KW", "PL", "PT", "QA", "SA", "SG", "TW",
    ]

    /// The market of an ISO 3166-1 alpha-2 country code; every country not in A or B is C.
    public init(country: String) {
        let code = country.uppercased()
        if Market.marketA.contains(code) { self = .a }
        else if Market.marketB.contains(code) { self = .b }
        else { self = .c }
    }

    public static func < (lhs: Market, rhs: Market) -> Bool { lhs.rawValue < rhs.rawValue }
}
