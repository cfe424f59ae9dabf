import Foundation
import IncentivesDomain
import Yams

/// The partners and eligibility lists of a catalogue file, each read by the rules the partner directory and the
/// eligibility pages apply.
extension Reader {
    mutating func partner(_ node: Node, taken: inout [String]) -> CatalogueDocument.PartnerEntry? {
        guard let m = mapping(node, "A partner") else { return nil }
        let raw = string(m, "name", required: true), since = instant(m, "since")
        let deactivated = m["deactivated"].flatMap { deactivation($0) }
        guard let raw else { return nil }
        let name: String
        do { name = try PartnerRules.organization(name: raw, taken: taken) } catch { problem(m["name"] ?? node, error.message); return nil }
        taken.append(name)
        var locationNames: [String] = []
        let locations = sequence(m["locations"], "locations").compactMap { location($0, taken: &locationNames) }
        for l in locations { placeLines[CatalogueFile.PlaceKey(partner: name, location: l.name)] = node.mark?.line ?? 1 }
        return .init(name: name, since: since, deactivated: deactivated, locations: locations)
    }

    mutating func location(_ node: Node, taken: inout [String]) -> CatalogueDocument.LocationEntry? {
        guard let m = mapping(node, "A location") else { return nil }
        guard let raw = string(m, "name", required: true), let country = string(m, "country", required: true) else { return nil }
        let enrollment = optionalChoice(m, "enrollment", EnrollmentStatus.self)
        let deactivated = m["deactivated"].flatMap { deactivation($0) }
        do {
            let checked = try PartnerRules.location(name: raw, country: country, taken: taken)
            taken.append(checked.name)
            return .init(name: checked.name, country: checked.country.code, deactivated: deactivated, enrollment: enrollment)
        } catch {
            problem((error.refusedInput == "country" ? m["country"] : m["name"]) ?? node, error.message)
            return nil
        }
    }

    mutating func deactivation(_ node: Node) -> Deactivation? {
        guard let m = mapping(node, "`deactivated`") else { return nil }
        guard let at = instant(m, "at", required: true), let reason = string(m, "reason", required: true) else { return nil }
        do { return try PartnerRules.deactivating(nil, reason: reason, at: at, what: "record") } catch {
            problem(m["reason"] ?? node, error.message); return nil
        }
    }

    mutating func optionalChoice<T: RawRepresentable>(_ m: Node.Mapping, _ key: String, _ type: T.Type) -> T?
    where T.RawValue == String, T: CaseIterable {
        guard m[key] != nil else { return nil }
        return choice(m, key, type)
    }

    /// One location of an engagement's `eligibility`; the names it refers to are checked once the whole file is read.
    mutating func listed(_ node: Node, engagement: String) -> CatalogueDocument.ListedLocation? {
        guard let m = mapping(node, "An eligibility entry") else { return nil }
        let partner = string(m, "partner", required: true), location = string(m, "location", required: true)
        let listedAt = instant(m, "listed_at"), listedBy = string(m, "listed_by")
        var seen = Set<String>()
        let criteria = sequence(m["criteria"], "criteria").compactMap { node -> CatalogueDocument.CriterionResult? in
            guard let result = criterionResult(node) else { return nil }
            if !seen.insert(result.criterion).inserted { problem(node, "The criterion \"\(result.criterion)\" is listed twice for this location.") }
            return result
        }
        guard let partner, let location else { return nil }
        let key = CatalogueFile.PlaceKey(partner: partner, location: location)
        if eligibilityLines[engagement, default: [:]][key] != nil { problem(node, "\(partner) / \(location) is listed twice on \(engagement).") }
        eligibilityLines[engagement, default: [:]][key] = node.mark?.line ?? 1
        return .init(partner: partner, location: location, listedAt: listedAt, listedBy: listedBy, criteria: criteria)
    }

    mutating func criterionResult(_ node: Node) -> CatalogueDocument.CriterionResult? {
        guard let m = mapping(node, "A criterion result") else { return nil }
        let criterion = string(m, "criterion", required: true), status = choice(m, "status", CriterionStatus.self)
        let expiresOn = day(m, "expires_on"), evidence = string(m, "evidence"), setBy = string(m, "set_by"), setAt = instant(m, "set_at")
        guard let criterion, let status else { return nil }
        if let refused = check({ _ = try EngagementTermsInput.criterionRule.check(criterion, field: "criterion") }) { problem(m["criterion"]!, refused) }
        if let evidence, let refused = check({ _ = try CriterionSetting.evidenceRule.check(evidence, field: "evidence") }) {
            problem(m["evidence"]!, refused)
        }
        if (status == .expiring) != (expiresOn != nil) {
            problem(m["expires_on"] ?? node, "`expires_on` is given for an expiring criterion, and only for one.")
        }
        return .init(criterion: criterion, status: status, expiresOn: expiresOn, evidence: evidence, setBy: setBy, setAt: setAt)
    }

    /// Every eligibility entry names a partner and a location the file lists.
    mutating func checkPlaces(_ engagements: [CatalogueDocument.EngagementEntry]) {
        for e in engagements {
            for entry in e.eligibility {
                let key = CatalogueFile.PlaceKey(partner: entry.partner, location: entry.location)
                if placeLines[key] == nil {
                    problems.append(CatalogueFileProblem(line: eligibilityLines[e.name]?[key] ?? 1,
                                                         message: "\(entry.partner) / \(entry.location) is not a location the file's partners list."))
                }
            }
        }
    }
}
