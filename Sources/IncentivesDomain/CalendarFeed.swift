import Foundation

/// One open deadline of a claim, as a calendar shows it: what is due by when, on which claim, and the claim's version
/// (a calendar replaces its copy of an event when the SEQUENCE grows).
public struct CalendarDeadline: Hashable, Sendable {
    public var claimID: Int64
    public var claimName: String
    public var kind: DeadlineKind
    public var status: ClaimStatus
    public var dueAt: Date
    /// Whether the deadline clock expires the claim when it passes (false: the vendor's own review deadline).
    public var expires: Bool
    public var customerName: String
    public var engagementName: String
    public var locationName: String
    public var organizationName: String
    public var version: Int
    public var updatedAt: Date

    public init(claimID: Int64, claimName: String, kind: DeadlineKind, status: ClaimStatus, dueAt: Date, expires: Bool,
                customerName: String, engagementName: String, locationName: String, organizationName: String,
                version: Int, updatedAt: Date) {
        self.claimID = claimID; self.claimName = claimName; self.kind = kind; self.status = status; self.dueAt = dueAt
        self.expires = expires; self.customerName = customerName; self.engagementName = engagementName
        self.locationName = locationName; self.organizationName = organizationName; self.version = version
        self.updatedAt = updatedAt
    }

    /// What has to happen by the deadline, in the words of the claim's status.
    public var task: String {
        switch (kind, status) {
        case (.consent, .customerClaimed): "Get customer consent"
        case (.consent, _): "Customer consent due"
        case (.submission, _): "Submit proof"
        case (.review, .partnerActionRequired): "Answer the reviewer"
        case (.review, _): "Complete the review"
        case (.dispute, .disputed): "Submit the dispute"
        case (.dispute, _): "Dispute window closes"
        }
    }

    /// The event's title: "Submit proof: Contoso (Cloud assessment)".
    public var summary: String { "\(task): \(customerName) (\(engagementName))" }
}

/// A user's open deadlines as an RFC 5545 calendar (`text/calendar`), for calendar apps that subscribe to an address.
///
/// Deadlines are instants (a claim's creation, consent or rejection plus whole days, expired by the clock the moment they
/// pass), so events use UTC date-times, not all-day dates: an all-day date would have to pick one time zone's day, and a
/// partner in another zone would see the wrong one. Each event is the half hour that ends at the deadline, and its alarms
/// count back from that end. The UID names the claim and the kind of deadline, never the date, so a moved deadline
/// updates its event in place.
public struct CalendarFeed: Sendable {
    /// The calendar's name in the app (X-WR-CALNAME).
    public var name: String
    /// The site's host name: the right-hand side of every UID.
    public var host: String
    /// The site's address (`PUBLIC_URL`), for each event's link to its claim.
    public var publicURL: String
    /// When the feed was made (DTSTAMP): the injected clock.
    public var stamp: Date
    public var deadlines: [CalendarDeadline]

    /// At most this many events, the soonest first: a calendar app reads the whole feed on every refresh.
    public static let limit = 2_000
    /// A deadline that passed less than this long ago stays in the feed (an overdue review, a claim the clock has not
    /// expired yet); older ones drop out.
    public static let keepsPassedFor: TimeInterval = 30 * 86_400
    /// How long an event lasts: it ends at the deadline.
    public static let eventLength: TimeInterval = 30 * 60
    /// The alarms: this many days before the deadline.
    public static let alarmDays = [7, 1]

    public init(name: String, host: String, publicURL: String, stamp: Date, deadlines: [CalendarDeadline]) {
        self.name = name; self.host = host; self.publicURL = publicURL; self.stamp = stamp; self.deadlines = deadlines
    }

    /// The earliest deadline the feed holds at `now`.
    public static func earliest(at now: Date) -> Date { now.addingTimeInterval(-keepsPassedFor) }

    /// The calendar: content lines folded at 75 octets, each ended by CRLF.
    public var text: String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//partner-incentives//Calendar feed//EN", "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH", "X-WR-CALNAME:" + Self.escaped(name),
            // RFC 7986 and its older spelling: how often an app should fetch the feed again.
            "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
        ]
        for deadline in deadlines { lines += event(deadline) }
        lines.append("END:VCALENDAR")
        return lines.map(Self.folded).joined()
    }

    /// The stable identifier of a claim's deadline of one kind.
    public func uid(_ deadline: CalendarDeadline) -> String { "claim-\(deadline.claimID)-\(deadline.kind.rawValue)@\(host)" }

    func event(_ deadline: CalendarDeadline) -> [String] {
        let link = "\(publicURL)/claims/\(deadline.claimID)"
        var lines = [
            "BEGIN:VEVENT", "UID:" + uid(deadline), "DTSTAMP:" + Self.utc(stamp),
            "DTSTART:" + Self.utc(deadline.dueAt.addingTimeInterval(-Self.eventLength)), "DTEND:" + Self.utc(deadline.dueAt),
            "SUMMARY:" + Self.escaped(deadline.summary), "DESCRIPTION:" + Self.escaped(description(deadline, link: link)),
            "URL:" + link, "LAST-MODIFIED:" + Self.utc(deadline.updatedAt), "SEQUENCE:\(deadline.version)",
            "STATUS:CONFIRMED", "TRANSP:TRANSPARENT",
        ]
        for days in Self.alarmDays {
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;RELATED=END:-P\(days)D",
                      "DESCRIPTION:" + Self.escaped("\(deadline.summary): due in \(days) day\(days == 1 ? "" : "s")"), "END:VALARM"]
        }
        lines.append("END:VEVENT")
        return lines
    }

    func description(_ deadline: CalendarDeadline, link: String) -> String {
        let due = DayDate(deadline.dueAt).text + " at " + Self.clockTime(deadline.dueAt) + " UTC"
        let outcome = deadline.expires ? "When it passes, the claim expires." : "The vendor's own deadline: it never expires the claim."
        return [
            "Claim: \(deadline.claimName) (#\(deadline.claimID))", "Customer: \(deadline.customerName)",
            "Engagement: \(deadline.engagementName)", "Location: \(deadline.locationName), \(deadline.organizationName)",
            "Status: \(deadline.status.label)", "Due: \(due). \(outcome)", "Open the claim: \(link)",
        ].joined(separator: "\n")
    }

    /// TEXT as RFC 5545 writes it: backslash, semicolon and comma escaped, each line break (CRLF, CR or LF) as `\n`,
    /// other control characters left out (TEXT may not hold them). Read by code point, never by `Character`.
    public static func escaped(_ text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, scalar) in scalars.enumerated() {
            switch scalar {
            case "\\": out.append(contentsOf: #"\\"#.unicodeScalars)
            case ";": out.append(contentsOf: #"\;"#.unicodeScalars)
            case ",": out.append(contentsOf: #"\,"#.unicodeScalars)
            case "\n": out.append(contentsOf: #"\n"#.unicodeScalars)
            // A CR before an LF is half of one line break; a lone CR is a break of its own.
            case "\r": if i + 1 == scalars.count || scalars[i + 1] != "\n" { out.append(contentsOf: #"\n"#.unicodeScalars) }
            case "\t": out.append(scalar)
            default: if scalar.value >= 0x20 && scalar.value != 0x7F { out.append(scalar) }
            }
        }
        return String(out)
    }

    /// One content line folded as RFC 5545 3.1 asks: at most 75 octets a line, continued on the next after CRLF and a
    /// space, and never inside a UTF-8 sequence.
    public static func folded(_ line: String) -> String {
        var out = String.UnicodeScalarView()
        var octets = 0
        for scalar in line.unicodeScalars {
            let size = UTF8.width(scalar)
            if octets + size > 75 {
                out.append(contentsOf: "\r\n ".unicodeScalars)
                octets = 1
            }
            out.append(scalar)
            octets += size
        }
        out.append(contentsOf: "\r\n".unicodeScalars)
        return String(out)
    }

    /// A UTC date-time, `20261116T142300Z` (whole seconds).
    static func utc(_ date: Date) -> String {
        let c = Calendar.utc.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// "14:23", in UTC.
    static func clockTime(_ date: Date) -> String {
        let c = Calendar.utc.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", c.hour!, c.minute!)
    }
}
