import Foundation
@testable import IncentivesWeb
import Testing

/// The pages' own renderer against the Mustache rules the templates use, each case also held to swift-mustache's
/// output for the same template and values (the renderer the pages were written against).
@Suite("Page templates: compiled once, rendered as swift-mustache rendered them")
struct PageTemplatesTests {
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
        let blank: String
    }

    /// Renders `main` (with `partials`) through both renderers; they must agree byte for byte.
    func render(_ main: String, _ value: Any, partials: [String: String] = [:],
                sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        var sources = partials
        sources["main"] = main
        let ours = try #require(try PageTemplates(sources).render(value, template: "main"), sourceLocation: sourceLocation)
        #expect(ours == SwiftMustacheReference.library(sources).render(value, withTemplate: "main"), sourceLocation: sourceLocation)
        return ours
    }

    static var page: Page {
        let line = { (id: Int64, note: String?) in
            Line(id: id, name: "Cobalt <Studios> & \"co\"", note: note, flagged: id % 2 == 0, tone: id % 2 == 0 ? .loud : .calm,
                 amount: Decimal(string: "1234.50")!)
        }
        return Page(shell: Shell(csrfToken: "tok", userName: "Ana O'Neil",
                                 crumbs: [Crumb(title: "Claims", path: "/claims"), Crumb(title: "Claim 3", path: nil)]),
                    lines: [line(1, "first"), line(2, nil), line(3, "")], empty: [], first: line(4, nil), missing: nil,
                    tags: ["a", "b"], maybeTags: ["c"], flag: false, when: Date(timeIntervalSince1970: 1_800_000_000), box: Box(),
                    pair: (1, "one"), dictionary: ["a": 7], blank: "")
    }

    @Test("every shape a view model takes: fields, optionals, lists, flags, dates, classes, tuples, dictionaries")
    func shapes() throws {
        let html = try render("""
            {{shell.userName}} {{#shell.crumbs}}[{{title}}{{#path}}->{{.}}{{/path}}{{^path}}(here){{/path}}]{{/shell.crumbs}}
            {{#lines}}<{{id}} {{name}} {{note}}{{^note}}-{{/note}} {{#flagged}}!{{/flagged}} {{tone}} {{amount}} {{shell.csrfToken}} {{userName}}>{{/lines}}
            {{#empty}}never{{/empty}}{{^empty}}none{{/empty}} {{#first}}{{name}}{{/first}} {{#missing}}x{{/missing}}{{^missing}}no{{/missing}}
            {{#tags}}{{.}},{{/tags}} {{#maybeTags}}{{.}};{{/maybeTags}} {{#flag}}yes{{/flag}}{{^flag}}off{{/flag}} {{when}}
            {{box.label}} {{box.count}} {{pair}} {{dictionary.a}} {{dictionary.b}} {{unknown}} {{first.unknown}} {{first}}
            """, Self.page)
        #expect(html.hasPrefix("Ana O&#39;Neil [Claims->/claims][Claim 3(here)]\n<1 Cobalt &lt;Studios&gt; &amp; &quot;co&quot; first  calm 1234.5 tok >"))
        #expect(html.contains("none Cobalt &lt;Studios&gt; &amp; &quot;co&quot; no\na,b, c; off 2027-01-15 08:00:00 +0000\nboxed 2 (1, &quot;one&quot;) 7    Line(id: 4,"))
    }

    @Test("an empty text is a value: its section shows, its inverted section does not; false and empty lists are not")
    func truthiness() throws {
        #expect(try render("{{#blank}}a{{/blank}}{{^blank}}b{{/blank}}{{#empty}}c{{/empty}}{{^empty}}d{{/empty}}{{#flag}}e{{/flag}}",
                           Self.page) == "ad")
    }

    @Test("a name not found, or found without a value, is looked for further down the stack; a dotted name is not")
    func stack() throws {
        struct Inner { let title: String?; let shell: [String: String] }
        struct Outer { let title: String; let inner: Inner; let shell: Shell }
        let outer = Outer(title: "outer", inner: Inner(title: nil, shell: [:]), shell: Self.page.shell)
        #expect(try render("{{#inner}}{{title}}|{{shell.userName}}|{{/inner}}{{inner.title}}", outer) == "outer||")
    }

    @Test("HTML is escaped one code point at a time, once per value")
    func escaping() throws {
        struct Text { let text: String }
        #expect(try render("<a title=\"{{text}}\">{{text}}</a>", Text(text: "\"\u{301} <b>'&amp;'</b> é")) ==
            "<a title=\"&quot;\u{301} &lt;b&gt;&#39;&amp;amp;&#39;&lt;/b&gt; é\">&quot;\u{301} &lt;b&gt;&#39;&amp;amp;&#39;&lt;/b&gt; é</a>")
    }

    @Test("standalone tags and comments leave no line; inline ones keep the line")
    func standalone() throws {
        let html = try render("""
            <ul>
              {{#tags}}
              <li>{{.}}</li>
              {{/tags}}
              {{! a comment }}
              {{#tags}}<i>{{.}}</i>{{/tags}} {{! inline }}
            </ul>

            """, Self.page)
        #expect(html == "<ul>\n  <li>a</li>\n  <li>b</li>\n  <i>a</i><i>b</i> \n</ul>\n")
    }

    @Test("a standalone partial indents each line it renders")
    func partials() throws {
        let html = try render("<div>\n  {{> row}}\n  {{> row}} after\n</div>\n", Self.page,
                              partials: ["row": "{{#tags}}\n<p>{{.}}</p>\n{{/tags}}\n<hr>\n"])
        #expect(html == "<div>\n  <p>a</p>\n<p>b</p>\n  <hr>\n  <p>a</p>\n<p>b</p>\n<hr>\n after\n</div>\n")
    }

    @Test("a parent shows its blocks' overrides, or its own text for blocks not overridden, indented as the block")
    func inheritance() throws {
        let layout = "<title>{{$title}}Default{{/title}}</title>\n<main>\n  {{$main}}{{/main}}\n</main>\n{{$foot}}\n<footer>{{shell.userName}}</footer>\n{{/foot}}"
        let html = try render("""
            {{<layout}}
            {{$main}}
            <h1>{{shell.userName}}</h1>
              <p>{{#tags}}{{.}}{{/tags}}</p>
            {{/main}}
            {{$title}}Claims{{/title}}
            {{/layout}}

            """, Self.page, partials: ["layout": layout])
        #expect(html == "<title>Claims</title>\n<main>\n  <h1>Ana O&#39;Neil</h1>\n    <p>ab</p>\n\n</main>\n<footer>Ana O&#39;Neil</footer>\n")
    }

    @Test("every page template compiles, and what a template cannot say is refused with its name and line")
    func refusals() throws {
        _ = try PageTemplates.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/IncentivesWeb/Templates").standardizedFileURL.path)
        let refused: [(String, Int)] = [
            ("a\n{{{raw}}}", 2), ("{{&raw}}", 1), ("{{=<% %>=}}", 1), ("\n\n{{% CONTENT_TYPE: TEXT}}", 3), ("{{> *dynamic}}", 1),
            ("{{name(upper)}}", 1), ("{{#open}}\n", 2), ("{{#a}}{{/b}}", 1), ("{{> nowhere}}", 1), ("{{a..b}}", 1), ("{{.a}}", 1),
            ("{{#}}{{/}}", 1), ("{{<layout}}{{x}}{{/layout}}", 1), ("{{\nname}}", 1), ("a\r\nb", 1), ("{{a}", 1),
        ]
        for (text, line) in refused {
            do {
                _ = try PageTemplates(["page": text, "layout": ""])
                Issue.record("\(text.debugDescription) is refused")
            } catch let error as TemplateError {
                #expect(error.template == "page" && error.line == line, "\(text.debugDescription): \(error)")
            }
        }
    }
}
