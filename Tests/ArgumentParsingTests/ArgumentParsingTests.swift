// Placeholder so the target builds; real tests replace it.
import Testing
@testable import ArgumentParsing

@Test func ArgumentParsingTestsPlaceholder() {}
