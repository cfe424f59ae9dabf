import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import IncentivesDomain

// Batches for the bank-file tests, and a reader of the XML no code of ours wrote (Foundation's XMLParser).

enum PaymentFixture {
    static let created = at("2026-12-05T21:20:09Z").addingTimeInterval(0.734)

    static func transfer(_ n: Int, _ minor: Int64, _ currency: Currency = .eur, name: String = "Northwind GmbH",
                         remittance: String = "PR-000007 Partner incentives") -> CreditTransfer {
        CreditTransfer(endToEndID: PaymentRunRules.endToEndID(reference: "PR-000007", line: n), amountMinor: minor, currency: currency,
                       creditorName: name, creditorCountry: "DE", creditorAccount: "DE89 3704 0044 0532 0130 00", creditorUsesIBAN: true,
                       creditorBIC: "COBADEFFXXX", remittance: remittance)
    }

    /// A US payee: account number and ABA routing number, no IBAN.
    static func american(_ n: Int, _ minor: Int64, _ currency: Currency = .usd) -> CreditTransfer {
        CreditTransfer(endToEndID: PaymentRunRules.endToEndID(reference: "PR-000007", line: n), amountMinor: minor, currency: currency,
                       creditorName: "Contoso Inc.", creditorCountry: "US", creditorAccount: "000123456789", creditorUsesIBAN: false,
                       creditorBIC: "CHASUS33", creditorRoutingCode: "021000021", remittance: "PR-000007")
    }

    static func batch(_ transfers: [CreditTransfer], currency: Currency = .eur, messageID: String = "PR-000007-EUR") -> CreditTransferBatch {
        CreditTransferBatch(messageID: messageID, createdAt: created, initiatingParty: "Fabrikam Partner Program",
                            debtorName: "Fabrikam Ltd", debtorIBAN: "GB29NWBK60161331926819", debtorBIC: "NWBKGB2L",
                            requestedExecution: DayDate(year: 2026, month: 12, day: 8), currency: currency, transfers: transfers)
    }
}

/// An element of a parsed document: its name, attributes, child elements and its own text.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    var children: [XMLNode] = []
    var text = ""

    init(name: String, attributes: [String: String]) { self.name = name; self.attributes = attributes }

    var childNames: [String] { children.map(\.name) }

    /// The first descendant at the path of names separated by `/`.
    func at(_ path: String) -> XMLNode? {
        var node: XMLNode? = self
        for part in path.split(separator: "/") { node = node?.children.first { $0.name == part } }
        return node
    }

    func all(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }

    /// Parses `xml` with Foundation's parser (namespace-aware); nil when it is not well-formed.
    static func parse(_ xml: String) -> (root: XMLNode, namespace: String?)? {
        let parser = XMLParser(data: Data(xml.utf8))
        let builder = Builder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = true
        guard parser.parse(), let root = builder.root else { return nil }
        return (root, builder.namespace)
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var root: XMLNode?
        var stack: [XMLNode] = []
        var namespace: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let node = XMLNode(name: name, attributes: attributes)
            if let parent = stack.last { parent.children.append(node) } else { root = node; namespace = namespaceURI }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if string.contains(where: { !$0.isWhitespace }) || !(stack.last?.text.isEmpty ?? true) { stack.last?.text += string }
        }
    }
}
