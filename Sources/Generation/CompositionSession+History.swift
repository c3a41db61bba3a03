// The session's side of undo and redo. Every edit a person makes has an exact inverse
// here or elsewhere in the session: a take choice (and so a regeneration, which appends
// and selects a take) is undone by selecting the previous take, a rewind by putting the
// dropped bar back, an accept by making the bar a candidate again. The history itself
// (which edit came last) belongs to the caller; the TUI's worker keeps it.

extension CompositionSession {
    /// What `rewindKeepingBar()` dropped, to be put back by `restore(_:)`.
    public struct DroppedBar: Sendable {
        /// Index of the bar in the piece.
        public let index: Int
        let record: BarRecord?
        let candidate: CandidateRecord?
        /// The end of the piece before the rewind (the state after the dropped bar).
        let endBefore: Boundary
    }

    /// `rewind()`, returning what it dropped; nil when there is nothing to drop.
    public func rewindKeepingBar() -> DroppedBar? {
        let before = end
        let index = bars.count
        if let c = candidate {
            end = c.start
            candidate = nil
            version += 1
            return DroppedBar(index: index, record: nil, candidate: c, endBefore: before)
        }
        guard let last = bars.popLast() else { return nil }
        end = last.start
        version += 1
        return DroppedBar(index: index - 1, record: last, candidate: nil, endBefore: before)
    }

    /// Drops the candidate and every accepted bar from bar `k` on (a person plays from there).
    public func cut(atBar k: Int) {
        while candidate != nil || bars.count > max(0, k) { rewind() }
    }

    /// Puts a dropped bar back where it was. A candidate begun since is dropped first.
    /// Returns false (changing nothing) when the piece no longer ends where the bar began.
    @discardableResult
    public func restore(_ dropped: DroppedBar) -> Bool {
        guard bars.count == dropped.index else { return false }
        candidate = nil
        if let record = dropped.record {
            bars.append(record)
        } else {
            candidate = dropped.candidate
        }
        end = dropped.endBefore
        version += 1
        return true
    }

    /// Makes the last accepted bar the (complete) candidate again, dropping a candidate
    /// begun after it. Returns false when there is no accepted bar.
    @discardableResult
    public func unacceptLastBar() -> Bool {
        guard !bars.isEmpty else { return false }
        // Without a candidate, `end` is the state after the last bar, as a complete
        // candidate's end is after its tokens.
        if let c = candidate { end = c.start; candidate = nil }
        let last = bars.removeLast()
        candidate = CandidateRecord(start: last.start, take: last.takes[last.selectedTake], isComplete: true)
        version += 1
        return true
    }
}
