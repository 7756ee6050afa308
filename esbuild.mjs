// @ts-check
// Bundles the extension (CommonJS, `vscode` external) and the CLI into dist/.
//   node esbuild.mjs [--production] [--watch] [--analyze]   (--analyze prints what each bundle is made of)
//
// The extension's main bundle holds only what activation and everyday use need. Libraries needed only by some
// commands are chunks of their own, loaded by a lazy `require` at their first use: dist/compromise.js (the word lists
// of Suggest), dist/yaml.js (the general YAML parser, for hand-edited files, front matter and imports),
// dist/refi.js (the REFI-QDA export and import, see REFI_CORE below), dist/fflate.js and dist/fast-xml-parser.js (its
// zip and XML libraries) and dist/validators.js. The JSON Schema validators are compiled at build time (ajv's standalone code) for both bundles,
// so ajv is not shipped; the CLI is one file.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = import.meta.dirname;
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
/** Print what each bundle is made of (esbuild's metafile analysis). */
const analyze = process.argv.includes('--analyze');

/** @type {esbuild.BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's default (UMD) build requires its parts dynamically, which a bundle cannot follow; its ES build can.
  alias: { 'jsonc-parser': './node_modules/jsonc-parser/lib/esm/main.js' },
};

/** Package → chunk file (beside dist/extension.js). @type {Record<string, string>} */
const CHUNKS = { 'compromise/two': 'compromise.js', yaml: 'yaml.js', fflate: 'fflate.js', 'fast-xml-parser': 'fast-xml-parser.js' };

/** In the extension bundle, a `require` of a chunked package becomes a `require` of its chunk; an `import` of one
 *  is an error, since it would load the chunk at activation. */
/** @type {esbuild.Plugin} */
const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    const filter = new RegExp(
      `^(${Object.keys(CHUNKS)
        .map((p) => p.replace(/[/]/g, '\\/'))
        .join('|')})$`,
    );
    build.onResolve({ filter }, (args) => {
      if (args.kind === 'require-call') return { path: `./${CHUNKS[args.path]}`, external: true };
      return {
        errors: [
          { text: `${args.path} is a lazily loaded chunk of the extension: require it at its first use (see src/core/yaml/yamlLib.ts), do not import it` },
        ],
      };
    });
  },
};

/** src/core/yaml/validators.ts replaced by the same validators precompiled by ajv (validators.standaloneValidators()):
 *  inline, or, with `chunk`, in a chunk of their own required at the first validation (the extension's fast readers
 *  of its own files need none).
 * @param {string} [chunk]
 * @returns {esbuild.Plugin}
 */
function precompiledValidators(chunk) {
  return {
    name: 'precompiled-validators',
    setup(build) {
      const from = chunk ? `./${chunk}` : 'marginalia:precompiled-validators';
      build.onLoad({ filter: /[\\/]src[\\/]core[\\/]yaml[\\/]validators\.ts$/ }, () => ({
        contents:
          'let compiled;\n' +
          'export function validator(name) {\n' +
          `  compiled ??= require(${JSON.stringify(from)});\n` +
          '  const v = compiled[name];\n' +
          "  if (typeof v !== 'function') throw new Error(`no precompiled validator named ${name}`);\n" +
          '  return v;\n' +
          '}\n',
        loader: 'js',
        resolveDir: path.join(ROOT, 'src', 'core', 'yaml'),
      }));
      build.onResolve({ filter: /^(marginalia:precompiled-validators|\.\/validators\.js)$/ }, (args) =>
        chunk ? { path: args.path, external: true } : { path: 'precompiled-validators', namespace: 'validators' },
      );
      build.onLoad({ filter: /.*/, namespace: 'validators' }, async () => ({ contents: await standaloneSource(), loader: 'js', resolveDir: ROOT }));
    },
  };
}

/** @type {Promise<string> | undefined} */
let generated;
function standaloneSource() {
  return (generated ??= generateValidators());
}

/**
 * Runs standaloneValidators() of src/core/yaml/validators.ts (bundled in memory with ajv) and returns its module source.
 * @returns {Promise<string>}
 */
async function generateValidators() {
  const out = await esbuild.build({
    ...common,
    sourcemap: false,
    minify: false,
    entryPoints: [path.join(ROOT, 'src', 'core', 'yaml', 'validators.ts')],
    write: false,
  });
  /** @type {{ exports: { standaloneValidators?: () => string } }} */
  const module = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(module, module.exports, createRequire(import.meta.url));
  if (!module.exports.standaloneValidators) throw new Error('src/core/yaml/validators.ts exports no standaloneValidators()');
  return module.exports.standaloneValidators();
}

/**
 * The REFI-QDA feature (src/core/formats/refiQda*.ts, about 20 KB) is a chunk of the extension too, dist/refi.js,
 * required at the first REFI-QDA export or import. It must not carry copies of the core classes whose identity
 * matters (UserError and its kin, AnnotationStore), so it is built with the core it uses *received* from the main
 * bundle: in dist/refi.js each import of those core modules reads the object the main bundle hands over (REFI_CORE,
 * on globalThis under a registered symbol) just before it requires the chunk. In the main bundle the three modules
 * are replaced by a shim that hands the core over, requires the chunk once and forwards each call (REFI_EXPORTS).
 */
const REFI_MODULES = /[\\/]src[\\/]core[\\/]formats[\\/]refiQda(Writer|Reader|Import)\.ts$/;
/** What the REFI-QDA modules import from the core, by module, as the main bundle hands it over. */
const REFI_CORE = {
  '../model': ['compareCodeUnits', 'contentHash', 'makeQuote', 'toRelPath'],
  '../store': ['findRelationType', 'AnnotationStore', 'addKind', 'defaultRelationTypes', 'relationTypes'],
  './codePoints': ['CodePointText'],
  './exportInput': ['assertSpanHolds', 'exportDocuments', 'ExportFormatError'],
  './importPlan': ['ImportError', 'applyImport', 'planImport'],
  '../../constants': ['TOOL_ID'],
};
/** The functions of the chunk the rest of the extension calls. */
const REFI_EXPORTS = ['exportQdpx', 'exportQdc', 'projectXml', 'readRefiQda', 'buildRefiImport', 'planRefiImport', 'applyRefiImport', 'projectFolder'];
const REFI_KEY = 'Symbol.for("marginalia.refi.core")';

/** Main bundle: the REFI-QDA modules become one shim that loads dist/refi.js at the first call. @type {esbuild.Plugin} */
const refiShim = {
  name: 'refi-shim',
  setup(build) {
    build.onLoad({ filter: REFI_MODULES }, (args) => {
      // The writer's place holds the shim; the reader and the import, re-exported beside it, become empty.
      if (!/Writer\.ts$/.test(args.path)) return { contents: 'export {};', loader: 'js' };
      const formats = path.join(ROOT, 'src', 'core', 'formats');
      const imports = Object.entries(REFI_CORE)
        .map(([from, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(from)};`)
        .join('\n');
      const all = Object.values(REFI_CORE).flat();
      return {
        contents:
          `${imports}\n` +
          'let chunk;\n' +
          'function refi() {\n' +
          `  if (!chunk) { globalThis[${REFI_KEY}] = { ${all.join(', ')} }; chunk = require("./refi.js"); }\n` +
          '  return chunk;\n' +
          '}\n' +
          REFI_EXPORTS.map((n) => `export function ${n}(...args) { return refi().${n}(...args); }`).join('\n'),
        loader: 'js',
        resolveDir: formats,
      };
    });
    build.onResolve({ filter: /^\.\/refi\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** dist/refi.js: the core modules the REFI-QDA code imports are read from what the main bundle handed over. @type {esbuild.Plugin} */
const refiCoreFromHost = {
  name: 'refi-core-from-host',
  setup(build) {
    const filter = new RegExp(
      `^(${Object.keys(REFI_CORE)
        .map((p) => p.replace(/[./]/g, '\\$&'))
        .join('|')})$`,
    );
    build.onResolve({ filter }, (args) => (REFI_MODULES.test(args.importer) ? { path: args.path, namespace: 'refi-core' } : undefined));
    // Each name imported from those modules must be one the main bundle hands over, or it would be undefined.
    build.onLoad({ filter: REFI_MODULES }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const missing = [];
      for (const m of source.matchAll(/^import\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm)) {
        const handed = REFI_CORE[/** @type {keyof typeof REFI_CORE} */ (m[2])];
        if (!handed) continue;
        for (const part of m[1].split(',').map((x) => x.trim())) {
          if (part !== '' && !part.startsWith('type ') && !handed.includes(part)) missing.push(`${part} from ${m[2]}`);
        }
      }
      if (missing.length > 0) return { errors: [{ text: `${path.basename(args.path)} imports ${missing.join(', ')}: add it to REFI_CORE in esbuild.mjs` }] };
      return undefined;
    });
    // Any other module of Marginalia's would be copied into the chunk: add it (and the names used) to REFI_CORE.
    build.onResolve({ filter: /^\./ }, (args) =>
      REFI_MODULES.test(args.importer) && !/^\.\/refi(Libs|Qda(Writer|Reader|Import))$/.test(args.path)
        ? { errors: [{ text: `${args.path} is not in REFI_CORE (esbuild.mjs): dist/refi.js would carry a copy of it` }] }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'refi-core' }, () => ({ contents: `module.exports = globalThis[${REFI_KEY}];`, loader: 'js' }));
  },
};

/** @type {esbuild.BuildOptions} */
const refiChunk = {
  ...common,
  stdin: {
    contents: ['Writer', 'Reader', 'Import'].map((m) => `export * from './src/core/formats/refiQda${m}';`).join('\n'),
    resolveDir: ROOT,
    sourcefile: 'refi.js (REFI-QDA)',
    loader: 'ts',
  },
  outfile: 'dist/refi.js',
  plugins: [lazyChunks, refiCoreFromHost],
};

/** @type {esbuild.BuildOptions[]} */
const chunkBuilds = Object.entries(CHUNKS).map(([pkg, file]) => ({
  ...common,
  stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: ROOT, sourcefile: `${file} (${pkg})`, loader: 'js' },
  outfile: `dist/${file}`,
}));
/** @type {esbuild.BuildOptions} */
const validatorsChunk = {
  ...common,
  stdin: { contents: await standaloneSource(), resolveDir: ROOT, sourcefile: 'validators.js (precompiled)', loader: 'js' },
  outfile: 'dist/validators.js',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [lazyChunks, refiShim, precompiledValidators('validators.js')],
  },
  ...chunkBuilds,
  refiChunk,
  validatorsChunk,
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', plugins: [precompiledValidators()] },
].filter((b) => !Array.isArray(b.entryPoints) || fs.existsSync(String(b.entryPoints[0])));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, metafile: analyze })));
  if (analyze) for (const r of results) if (r.metafile) console.log(await esbuild.analyzeMetafile(r.metafile));
}
