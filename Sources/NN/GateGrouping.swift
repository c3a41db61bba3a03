// How the engine splits an LSTM layer's gates over a thread team, shared by training and
// inference. Member p owns hidden units `units[p]` (a multiple of 8 wide, so SIMD lanes never
// straddle two members) and its gate rows are "grouped": [i | f | g | o] of its units,
// contiguous from 4·units[p].lowerBound. A step of the recurrence is then one kernel call per
// member on its own columns, and the members meet at one barrier per time step.

struct GateGrouping {
    let hiddenSize: Int
    /// Hidden units of each member.
    let units: [Range<Int>]
    /// Grouped gate row -> PyTorch gate row (PyTorch's order is [i | f | g | o], each H wide).
    let sourceRow: [Int]

    /// The team size the engine uses for H hidden units and a requested thread count: at least
    /// one member, at most one per 8 units and 64 in all.
    static func teamSize(hiddenSize: Int, threads: Int) -> Int { max(1, min(threads, hiddenSize / 8, 64)) }

    init(hiddenSize H: Int, team: ThreadTeam) {
        hiddenSize = H
        units = (0..<team.size).map { team.share(H, $0, multiple: 8) }
        var source: [Int] = []
        for u in units { for g in 0..<4 { for j in u { source.append(g * H + j) } } }
        sourceRow = source
    }

    /// Member p's first grouped gate row (and column of a grouped gate vector).
    func firstGateRow(of p: Int) -> Int { 4 * units[p].lowerBound }
}
