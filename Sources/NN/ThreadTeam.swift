// A fixed team of threads that run one closure together (fork-join), with a spinning barrier
// for the per-time-step synchronisation inside BPTT and one-token inference. Member 0 is the
// calling thread. Idle workers spin briefly, then sleep until the next job. The BLAS itself runs
// single-threaded inside each member (see ComputeThreads), so the team decides how work splits.
// On platforms without the Synchronization module's atomics the team has one member.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

#if os(Linux)
import Synchronization

final class ThreadTeam: @unchecked Sendable {
    let size: Int
    private let epoch = Atomic<Int>(0)  // bumped by member 0 to post a job
    private let pending = Atomic<Int>(0)  // workers still running the current job
    private let arrived = Atomic<Int>(0)  // barrier: members arrived in this phase
    private let phase = Atomic<Int>(0)  // barrier: completed phases
    private let parked = Atomic<Int>(0)  // bit w: worker w sleeps on semaphores[w]
    private let semaphores: [DispatchSemaphore]
    private let shuttingDown = Atomic<Bool>(false)
    private nonisolated(unsafe) var job: ((Int) -> Void)?
    private var threads: [Thread] = []
    private let finished = DispatchGroup()

    init(size: Int) {
        self.size = max(1, size)
        semaphores = (0..<max(0, size - 1)).map { _ in DispatchSemaphore(value: 0) }
        for w in 1..<self.size {
            finished.enter()
            let thread = Thread { [unowned(unsafe) self] in
                self.workerLoop(member: w)
                self.finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
            threads.append(thread)
        }
    }

    deinit {
        guard size > 1 else { return }
        shuttingDown.store(true, ordering: .sequentiallyConsistent)
        epoch.add(1, ordering: .sequentiallyConsistent)
        wakeParked()
        finished.wait()
    }

    /// Runs body(member) on every member at once and returns when all have finished.
    func run(_ body: (Int) -> Void) {
        guard size > 1 else { return body(0) }
        withoutActuallyEscaping(body) { body in
            job = body
            pending.store(size - 1, ordering: .sequentiallyConsistent)
            epoch.add(1, ordering: .sequentiallyConsistent)
            wakeParked()
            body(0)
            var spins = 0
            while pending.load(ordering: .acquiring) != 0 { Self.pause(&spins) }
            job = nil
        }
    }

    private func wakeParked() {
        let sleeping = parked.exchange(0, ordering: .sequentiallyConsistent)
        guard sleeping != 0 else { return }
        for w in 0..<(size - 1) where sleeping & (1 << w) != 0 { semaphores[w].signal() }
    }

    /// Waits until every member has reached this point (call from inside `run`, on all members).
    func barrier() {
        guard size > 1 else { return }
        let current = phase.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == size {
            arrived.store(0, ordering: .relaxed)
            phase.add(1, ordering: .releasing)
        } else {
            var spins = 0
            while phase.load(ordering: .acquiring) == current { Self.pause(&spins) }
        }
    }

    private func workerLoop(member: Int) {
        var seen = 0  // the epoch at construction: a job may be posted before this thread runs
        let w = member - 1
        while true {
            // Spin for the next job (about 100 µs), then sleep.
            var spins = 0
            while epoch.load(ordering: .acquiring) == seen {
                if spins < 20_000 {
                    Self.pause(&spins)
                    continue
                }
                parked.bitwiseOr(1 << w, ordering: .sequentiallyConsistent)
                if epoch.load(ordering: .sequentiallyConsistent) != seen {
                    // Unpark ourselves; if member 0 already did, its signal is left over and
                    // only makes a later wait return early (the loop re-checks the epoch).
                    parked.bitwiseAnd(~(1 << w), ordering: .sequentiallyConsistent)
                    break
                }
                semaphores[w].wait()
                spins = 0
            }
            seen = epoch.load(ordering: .acquiring)
            if shuttingDown.load(ordering: .acquiring) { return }
            job?(member)
            pending.subtract(1, ordering: .releasing)
        }
    }

    @inline(__always)
    private static func pause(_ spins: inout Int) {
        spins += 1
        if spins & 1023 == 0 { sched_yield() }
    }
}
#else
/// One member: no atomics here, so the calling thread does all the work (Accelerate threads itself).
final class ThreadTeam {
    let size = 1
    init(size: Int) {}
    func run(_ body: (Int) -> Void) { body(0) }
    func barrier() {}
}
#endif

extension ThreadTeam {
    /// Member p's share of 0..<total, boundaries rounded to a multiple of `multiple`.
    func share(_ total: Int, _ member: Int, multiple: Int = 1) -> Range<Int> {
        let units = (total + multiple - 1) / multiple
        let start = min(total, units * member / size * multiple)
        let end = min(total, units * (member + 1) / size * multiple)
        return start..<end
    }
}
