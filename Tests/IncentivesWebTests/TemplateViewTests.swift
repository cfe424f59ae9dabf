import Foundation
@testable import IncentivesWeb
import Mustache
import Testing

/// `TemplateView` only changes how names are found: every shape a view model takes renders exactly as the library
/// renders the bare value.
@Suite("Template views: the same text as the library's own lookup, for every shape a view model takes")
struct TemplateViewTests {
    enum Tone: String { case calm, loud }
    final class Box { let label = "boxed"; let count = 2 }
    struct Line { let id: Int64; let name: String; let note: String?; let flagged: Bool; let tone: Tone; let amount: Decimal }
    struct Crumb { let title: String; let path: String? }
    struct Shell { let csrfToken: String; let userName: String; let crumbs: [Crumb] }
    struct Page {
        let shell: Shell
        let lines: [Line]
        let empty: [Line]
        let first: Line?
        let missing: Line?
        let tags: [String]
        let maybeTags: [String]?
        let flag: Bool?
        let when: Date
        let box: Box
        let pair: (Int, String)
        let dictionary: [String: Int]
    }

    static let template = """
        {{shell.userName}} {{#shell.crumbs}}[{{title}}{{#path}}->{{.}}{{/path}}{{^path}}(here){{/path}}]{{/shell.crumbs}}
        {{#lines}}<{{id}} {{name}} {{note}}{{^note}}-{{/note}} {{#flagged}}!{{/flagged}} {{tone}} {{amount}} {{shell.csrfToken}} {{userName}}>{{/lines}}
        {{#empty}}never{{/empty}}{{^empty}}none{{/empty}} {{#first}}{{name}}{{/first}} {{#missing}}x{{/missing}}{{^missing}}no{{/missing}}
        {{#tags}}{{.}},{{/tags}} {{#maybeTags}}{{.}};{{/maybeTags}} {{#flag}}yes{{/flag}}{{^flag}}off{{/flag}} {{when}}
        {{box.label}} {{box.count}} {{pair}} {{dictionary.a}} {{unknown}} {{first.unknown}} {{{shell.userName}}} {{first}}
        """

    @Test("every shape renders as the library renders the bare value")
    func sameText() throws {
        let library = MustacheLibrary(templates: ["page": try MustacheTemplate(string: Self.template)])
        let line = { (id: Int64, note: String?) in
            Line(id: id, name: "Cobalt <Studios> & \"co\"", note: note, flagged: id % 2 == 0, tone: id % 2 == 0 ? .loud : .calm,
                 amount: Decimal(string: "1234.50")!)
        }
        let page = Page(shell: Shell(csrfToken: "tok", userName: "Ana O'Neil",
                                     crumbs: [Crumb(title: "Claims", path: "/claims"), Crumb(title: "Claim 3", path: nil)]),
                        lines: [line(1, "first"), line(2, nil), line(3, "")], empty: [], first: line(4, nil), missing: nil,
                        tags: ["a", "b"], maybeTags: ["c"], flag: false, when: Date(timeIntervalSince1970: 1_800_000_000), box: Box(),
                        pair: (1, "one"), dictionary: ["a": 7])
        let bare = try #require(library.render(page, withTemplate: "page"))
        let seen = try #require(library.render(TemplateView.seen(page) ?? page, withTemplate: "page"))
        #expect(seen == bare)
        // The library's own answers, which the views keep: escaped text, stack lookups, optionals, empty lists.
        #expect(bare.hasPrefix("Ana O&#39;Neil [Claims->/claims][Claim 3(here)]\n<1 Cobalt &lt;Studios&gt; &amp; &quot;co&quot; first  calm 1234.5 tok >"))
        #expect(bare.contains("none Cobalt &lt;Studios&gt; &amp; &quot;co&quot; no\na,b, c; off 2027-01-15 08:00:00 +0000\nboxed 2 (1, &quot;one&quot;) 7   Ana O'Neil Line(id: 4,"))
    }
}
