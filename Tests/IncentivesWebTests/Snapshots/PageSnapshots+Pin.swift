import Foundation
@testable import IncentivesWeb
import SnapshotTesting

extension PageSnapshots {
    /// Pins a page's view model (`<template>-model.<state>.txt`) and its HTML (`<template>-html.<state>.txt`) under the
    /// calling test file's `__Snapshots__` folder.
    static func pin(_ view: some PageView, template: String, state: String, fileID: StaticString = #fileID,
                    file: StaticString = #filePath, line: UInt = #line, column: UInt = #column) async throws {
        assertSnapshot(of: view, as: .dump, named: state, fileID: fileID, file: file, testName: "\(template)-model", line: line,
                       column: column)
        let html = try await html(view, template: template)
        assertSnapshot(of: html, as: .lines, named: state, fileID: fileID, file: file, testName: "\(template)-html", line: line,
                       column: column)
    }
}
