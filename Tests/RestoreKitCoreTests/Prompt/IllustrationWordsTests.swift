import Testing
@testable import RestoreKitCore

struct IllustrationWordsTests {
    @Test func wholeWordsIgnoringCase() {
        #expect(IllustrationWords.firstMatch(in: "an Anime girl with a red scarf") == "Anime")
        #expect(IllustrationWords.firstMatch(in: "pencil drawings of boats") == "drawings")
        #expect(IllustrationWords.firstMatch(in: "clean LINE  art, flat colours") == "LINE art")
        #expect(IllustrationWords.firstMatch(in: "a line-art portrait") == "line-art")
        #expect(IllustrationWords.firstMatch(in: "manga,comic") == "manga")
        #expect(IllustrationWords.firstMatch(in: "cartoon") == "cartoon")
    }

    @Test func otherWordsDoNotRoute() {
        for semantic in ["", "a cat on a sofa", "animated crowd", "mangal grill", "a comical dog", "an art line",
                         "line", "withdrawing money", "animé"] {
            #expect(IllustrationWords.firstMatch(in: semantic) == nil, "\(semantic)")
        }
    }
}
