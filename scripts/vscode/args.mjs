// @ts-check
// Command lines of the project's scripts, read with node:util.parseArgs.
import { parseArgs as parseNodeArgs } from 'node:util';

/** @typedef {'string' | 'number' | 'boolean'} OptionType */

/**
 * Reads `--flag value` / `--flag=value` options. `spec` maps flag names to their type; a boolean `--x` also has
 * `--no-x` (and `--x=false`). Returns `{ positional, ...flags }` with camelCased flag names; an unknown flag throws,
 * naming the known ones. With envPrefix, a flag not given on the command line is read from the environment: --trust
 * from <envPrefix>TRUST, --run-dir from <envPrefix>RUN_DIR (booleans: 1/true/yes, anything else is false).
 * @param {string[]} argv
 * @param {Record<string, OptionType>} spec
 * @param {string} [envPrefix]
 * @returns {{ positional: string[], [flag: string]: any }}
 */
export function parseArgs(argv, spec, envPrefix) {
  /** @type {Record<string, { type: 'string' | 'boolean' }>} */
  const options = {};
  for (const [name, type] of Object.entries(spec)) {
    options[name] = { type: type === 'boolean' ? 'boolean' : 'string' };
    if (type === 'boolean') options[`no-${name}`] = { type: 'boolean' };
  }
  // util.parseArgs takes no value for a boolean: `--keep=false` is spelled `--no-keep` for it.
  const args = argv.map((a) => {
    const m = /^--([^=]+)=(true|false)$/.exec(a);
    return m && spec[m[1]] === 'boolean' ? (m[2] === 'true' ? `--${m[1]}` : `--no-${m[1]}`) : a;
  });
  let parsed;
  try {
    parsed = parseNodeArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = /** @type {NodeJS.ErrnoException} */ (e);
    if (err.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(err.message.split('\n')[0]);
    throw new Error(
      `${err.message.split('\n')[0].replace(/\. To specify.*/, '')}; known: ${Object.keys(spec)
        .map((k) => `--${k}`)
        .join(' ')}`,
    );
  }
  /** @type {{ positional: string[], [flag: string]: any }} */
  const out = { positional: parsed.positionals };
  for (const [name, type] of Object.entries(spec)) {
    /** @type {string | boolean | undefined} */
    let value = parsed.values[name];
    if (type === 'boolean' && parsed.values[`no-${name}`]) value = false;
    if (value === undefined && envPrefix) {
      const env = process.env[envPrefix + name.toUpperCase().replace(/-/g, '_')];
      if (env !== undefined && env !== '') value = type === 'boolean' ? /^(1|true|yes)$/i.test(env) : env;
    }
    if (value === undefined) continue;
    if (type === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`--${name} needs a number, got "${value}"`);
      value = /** @type {any} */ (n);
    }
    out[name.replace(/-(\w)/g, (_, c) => c.toUpperCase())] = value;
  }
  return out;
}
