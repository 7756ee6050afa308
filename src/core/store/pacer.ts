// Long work on the extension host's one thread (loading thousands of sidecars) must leave the event loop a turn now
// and then, or the editor's messages wait behind it. Workers that run concurrently share one Pacer and ask it before
// each step; once a time slice is used up, every worker waits for the same single turn. (Each worker yielding on its
// own clock would not do: the event loop runs all their continuations back to back in one phase, each with a fresh
// slice, so 64 workers held the thread for 64 slices, 0.77 s in the first-tree benchmark.)

/** Hands out turns of the event loop to concurrent workers every `sliceMs` of their work. */
export class Pacer {
  private since: number;
  private turn: Promise<void> | undefined;
  private fresh = true;

  constructor(
    private readonly sliceMs = 10,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = now();
  }

  /**
   * undefined while the slice lasts: go on at once. After it, a promise that every caller shares, settled after one
   * turn of the event loop (timers and I/O included) when the next slice starts. Ask again after it settles, as
   * another worker may have used that slice up already:
   *
   *     for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
   */
  next(): Promise<void> | undefined {
    if (this.turn) return this.turn;
    // The first step after a turn always runs, however short the slice: work goes on.
    if (this.fresh) {
      this.fresh = false;
      return undefined;
    }
    if (this.now() - this.since <= this.sliceMs) return undefined;
    this.turn = new Promise((resolve) =>
      setImmediate(() => {
        this.turn = undefined;
        this.fresh = true;
        this.since = this.now();
        resolve();
      }),
    );
    return this.turn;
  }
}
