// @ts-check
// Mocha's spec reporter plus the plain closing line `N passed, N failed[, N skipped]` that CI reads.
'use strict';
const Mocha = require('mocha');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  /**
   * @param {Mocha.Runner} runner
   * @param {Mocha.MochaOptions & { reporterOption?: { suite?: string } }} [options]
   */
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = /** @type {Mocha.Stats} */ (runner.stats);
      const suite = (options && options.reporterOption && options.reporterOption.suite) || process.env.MARGINALIA_SUITE;
      const line = `${s.passes} passed, ${s.failures} failed` + (s.pending ? `, ${s.pending} skipped` : '');
      process.stdout.write(`${suite ? suite + ': ' : ''}${line}\n`);
    });
  }
}
module.exports = SummaryReporter;
