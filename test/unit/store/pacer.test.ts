import * as assert from 'node:assert/strict';
import { Pacer } from '../../../src/core/store/pacer';

/** Runs `workers` concurrent workers of `steps` steps each, every step taking 1 ms of a fake clock, paced by one
 *  Pacer; returns the most steps that ran between two turns of the event loop (seen by a setImmediate observer). */
async function mostStepsBetweenTurns(workers: number, steps: number, sliceMs: number): Promise<{ most: number; done: number }> {
  let clock = 0;
  const pacer = new Pacer(sliceMs, () => clock);
  let done = 0;
  let sinceTurn = 0;
  let most = 0;
  let running = true;
  const observe = (): void => {
    most = Math.max(most, sinceTurn);
    sinceTurn = 0;
    if (running) setImmediate(observe);
  };
  setImmediate(observe);
  const worker = async (): Promise<void> => {
    for (let s = 0; s < steps; s++) {
      for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
      clock += 1; // a synchronous step: a read from the cache and a parse
      sinceTurn++;
      done++;
      await Promise.resolve(); // the step's own await (a read that completed at once)
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  running = false;
  most = Math.max(most, sinceTurn);
  return { most, done };
}

describe('Pacer', () => {
  it('lets 64 concurrent workers hold the event loop for one slice at a time, not one slice each', async () => {
    const { most, done } = await mostStepsBetweenTurns(64, 20, 10);
    assert.equal(done, 64 * 20, 'every step ran');
    // One slice of 10 ms, plus the step that crossed its end: never 64 workers × 10 ms.
    assert.ok(most <= 11 + 1, `at most one slice of steps between turns of the event loop, saw ${most}`);
  });

  it('does not yield while the slice lasts', async () => {
    let clock = 0;
    const pacer = new Pacer(10, () => clock);
    clock = 10;
    assert.equal(pacer.next(), undefined);
    assert.equal(pacer.next(), undefined);
    clock = 11;
    const turn = pacer.next();
    assert.ok(turn instanceof Promise);
    assert.equal(pacer.next(), turn, 'every worker waits for the same turn');
    await turn;
    assert.equal(pacer.next(), undefined, 'a new slice starts after the turn');
  });

  it('lets one step run after every turn, even with a slice of 0 ms', async () => {
    let clock = 0;
    const pacer = new Pacer(0, () => clock);
    let steps = 0;
    for (let i = 0; i < 5; i++) {
      for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
      clock++;
      steps++;
    }
    assert.equal(steps, 5);
  });

  it('lets a timer run while workers load', async () => {
    let fired = false;
    setTimeout(() => (fired = true), 0);
    const pacer = new Pacer(2);
    let sawTimer = false;
    const worker = async (): Promise<void> => {
      const end = performance.now() + 60;
      while (performance.now() < end) {
        for (let turn = pacer.next(); turn; turn = pacer.next()) await turn;
        if (fired) sawTimer = true;
        const t = performance.now();
        while (performance.now() - t < 0.5); // half a millisecond of synchronous work
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.ok(sawTimer, 'the timer fired while the workers were still working');
  });
});
