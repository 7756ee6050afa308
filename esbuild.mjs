// @ts-check
// Bundles the extension (CommonJS, `vscode` external) and the CLI into dist/.
//   node esbuild.mjs [--production] [--watch] [--analyze] [--outdir DIR]
//   (--analyze prints what each bundle is made of; --outdir writes the bundles to DIR instead of dist/)
//
// The extension's main bundle holds only what activation and everyday use need (goal: 300 KB minified, checked by
// test/cli/bundle.test.ts). Libraries needed only by some commands are chunks of their own, loaded by a lazy
// `require` at their first use: dist/compromise.js (the word lists of Suggest), dist/yaml.js (the general YAML
// parser, for hand-edited files, front matter and imports), dist/dmp.js (diff-match-patch, for outside changes),
// dist/fflate.js and dist/fast-xml-parser.js (the zip and XML libraries of REFI-QDA), the libraries of Add Source
// (linkedom, readability, turndown, pdfjs and pdfjs-worker) and dist/validators.js. So is our own source that only
// some commands, or the first hover, run:
// - folders of the core (FEATURE_CHUNKS): the export formats (dist/formats.js), research (dist/research.js: figures,
//   names, suggestions, tag questions, document headers, agreement, review) and capture (dist/capture.js). Host code
//   reaches them only through src/host/coreChunks.ts (`formats()`, `research()`, `capture()`), which `require`s the
//   folder at first use; an `import` of one is a build error. A chunk takes the shared core folders (SHARED) from the
//   main bundle and another feature folder from that folder's chunk (capture and formats use research.js), so each
//   class exists once.
// - host files (SOURCE_CHUNKS): the agreement report (dist/report.js), the workings of the Review view
//   (dist/review.js) and of Suggestions (dist/suggestions.js); their owner in the main bundle requires them at first
//   use and hands them the core functions and host classes they run as parameters.
// The JSON Schema validators are compiled at build time (ajv's standalone code) for both bundles, so ajv is not
// shipped; the CLI is one file.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const ROOT = import.meta.dirname;
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
/** Print what each bundle is made of (esbuild's metafile analysis). */
const analyze = process.argv.includes('--analyze');
/** Where the bundles go: dist/, or another folder (test/cli/bundle.test.ts builds into a temporary one). */
const outdirAt = process.argv.indexOf('--outdir');
const OUT = outdirAt >= 0 ? path.resolve(process.argv[outdirAt + 1] ?? '') : path.join(ROOT, 'dist');

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
const CHUNKS = {
  'compromise/two': 'compromise.js',
  yaml: 'yaml.js',
  'diff-match-patch': 'dmp.js',
  fflate: 'fflate.js',
  'fast-xml-parser': 'fast-xml-parser.js',
  // Add Source (src/core/capture/libs.ts): a DOM, Readability, Turndown and pdf.js with its worker.
  linkedom: 'linkedom.js',
  '@mozilla/readability': 'readability.js',
  turndown: 'turndown.js',
  'pdfjs-dist/legacy/build/pdf.mjs': 'pdfjs.js',
  'pdfjs-dist/legacy/build/pdf.worker.mjs': 'pdfjs-worker.js',
};

/** pdf.js is an ES module that asks `import.meta.url` where it is (to load optional packages, which fail and are
 *  done without); in a CommonJS bundle that is this file's URL. */
const IMPORT_META_URL = {
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': '__import_meta_url' },
};

/** Turndown is given DOM nodes (built with linkedom), never HTML strings: its own HTML parser (domino) is not needed. */
/** @type {esbuild.Plugin} */
const noDomino = {
  name: 'no-domino',
  setup(build) {
    build.onResolve({ filter: /^@mixmark-io\/domino$/ }, () => ({ path: 'domino', namespace: 'no-domino' }));
    build.onLoad({ filter: /.*/, namespace: 'no-domino' }, () => ({
      contents: "module.exports = { createDocument() { throw new Error('turndown is given DOM nodes here, not HTML'); } };",
      loader: 'js',
    }));
  },
};

/** The CLI is one file, except for the libraries of add-source (several MB that every other command would parse):
 *  there a `require` of one of them becomes a `require` of its chunk. */
const CAPTURE_PACKAGES = ['linkedom', '@mozilla/readability', 'turndown', 'pdfjs-dist/legacy/build/pdf.mjs', 'pdfjs-dist/legacy/build/pdf.worker.mjs'];
/** @type {esbuild.Plugin} */
const cliCaptureChunks = {
  name: 'cli-capture-chunks',
  setup(build) {
    const filter = new RegExp(`^(${CAPTURE_PACKAGES.map((p) => p.replace(/[/]/g, '\\/')).join('|')})$`);
    build.onResolve({ filter }, (args) => (args.kind === 'require-call' ? { path: `./${CHUNKS[args.path]}`, external: true } : undefined));
  },
};

/** Source files of the extension that are chunks of their own (required at first use): module → chunk file. */
const SOURCE_CHUNKS = {
  './reportPanel': { entry: 'src/host/reportPanel.ts', file: 'report.js' },
  './reviewView': { entry: 'src/host/reviewView.ts', file: 'review.js' },
  './suggestionSessions': { entry: 'src/host/suggestionSessions.ts', file: 'suggestions.js' },
};

/** In the extension bundle, a `require` of a chunked package (or source chunk) becomes a `require` of its chunk; an
 *  `import` of one is an error, since it would load the chunk at activation. */
/** @type {esbuild.Plugin} */
const lazyChunks = {
  name: 'lazy-chunks',
  setup(build) {
    const filter = new RegExp(
      `^(${Object.keys(CHUNKS)
        .map((p) => p.replace(/[/]/g, '\\/'))
        .join('|')})$`,
    );
    build.onResolve({ filter: new RegExp(`^(${Object.keys(SOURCE_CHUNKS).join('|').replace(/\./g, '\\.')})$`) }, (args) => {
      const chunk = SOURCE_CHUNKS[/** @type {keyof typeof SOURCE_CHUNKS} */ (args.path)];
      if (args.kind === 'require-call') return { path: `./${chunk.file}`, external: true };
      return {
        errors: [
          {
            text: `${chunk.entry} is a lazily loaded chunk of the extension: require it at its first use (see src/host/agreementReport.ts, src/host/review.ts, src/host/suggestions.ts); import only its types`,
          },
        ],
      };
    });
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

/** Folders of our own code that the extension loads at their first use, each a chunk of its own (folder → chunk
 *  file): host code `require`s the folder through src/host/coreChunks.ts, never imports it. */
const FEATURE_CHUNKS = { 'src/core/formats': 'formats.js', 'src/core/research': 'research.js', 'src/core/capture': 'capture.js' };
/** Folders the main bundle shares with the feature chunks (folder → key): a chunk takes them from dist/extension.js,
 *  already loaded when a chunk is, rather than bundling a copy, so their classes keep one identity (an import's
 *  error is still `instanceof UserError` in the host) and their state is one. */
const SHARED = { 'src/core/model': 'model', 'src/core/yaml': 'yaml', 'src/core/store': 'store', 'src/core/anchoring': 'anchoring', 'src/node': 'node' };

/** The folder (relative to the root, '/'-separated) that an import of `spec` from `resolveDir` names, when it names a
 *  folder's index. */
function folderOf(/** @type {string} */ resolveDir, /** @type {string} */ spec) {
  if (!spec.startsWith('.')) return undefined;
  const rel = path.relative(ROOT, path.resolve(resolveDir, spec)).split(path.sep).join('/');
  return rel.replace(/\/index(\.ts)?$/, '');
}

/** Main bundle: a `require` of a feature folder becomes a `require` of its chunk; an `import` of one is an error. */
/** @type {esbuild.Plugin} */
const featureChunks = {
  name: 'feature-chunks',
  setup(build) {
    build.onResolve({ filter: /^\./ }, (args) => {
      const folder = folderOf(args.resolveDir, args.path);
      const chunk = folder && FEATURE_CHUNKS[/** @type {keyof typeof FEATURE_CHUNKS} */ (folder)];
      if (!chunk || args.importer.startsWith(path.join(ROOT, folder) + path.sep)) return undefined;
      if (args.kind === 'require-call') return { path: `./${chunk}`, external: true };
      return {
        errors: [{ text: `${folder} is loaded at its first use as dist/${chunk}: reach it through src/host/coreChunks.ts, and import only its types` }],
      };
    });
  },
};

/** Feature chunks: the shared folders come from the main bundle, and another feature folder from its own chunk (a
 *  chunk is loaded at first use, so it may load the chunks it imports then: dist/capture.js and dist/formats.js take
 *  the research folder from dist/research.js rather than bundling a copy). */
/** @type {esbuild.Plugin} */
const sharedFromMain = {
  name: 'shared-from-main',
  setup(build) {
    build.onResolve({ filter: /^\.\/extension\.js$/, namespace: 'shared' }, () => ({ path: './extension.js', external: true }));
    build.onResolve({ filter: /^\./ }, (args) => {
      const folder = folderOf(args.resolveDir, args.path);
      if (!folder) return undefined;
      const key = SHARED[/** @type {keyof typeof SHARED} */ (folder)];
      if (key) return { path: key, namespace: 'shared' };
      const chunk = FEATURE_CHUNKS[/** @type {keyof typeof FEATURE_CHUNKS} */ (folder)];
      return chunk && args.kind !== 'entry-point' && !args.importer.startsWith(path.join(ROOT, folder) + path.sep)
        ? { path: `./${chunk}`, external: true }
        : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({
      contents: `module.exports = require('./extension.js').__shared[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

/** The main bundle's entry: the extension, and the shared folders for the feature chunks. */
const mainEntry = [
  `module.exports = require('./src/extension.ts');`,
  `module.exports.__shared = {`,
  ...Object.entries(SHARED).map(([folder, key]) => `  ${key}: require('./${folder}/index.ts'),`),
  `};`,
].join('\n');

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

/** @type {esbuild.BuildOptions[]} */
const chunkBuilds = Object.entries(CHUNKS).map(([pkg, file]) => ({
  ...common,
  ...(pkg.startsWith('pdfjs-dist/') ? IMPORT_META_URL : {}),
  plugins: [noDomino],
  stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: ROOT, sourcefile: `${file} (${pkg})`, loader: 'js' },
  outfile: path.join(OUT, file),
}));
/** @type {esbuild.BuildOptions} */
const validatorsChunk = {
  ...common,
  stdin: { contents: await standaloneSource(), resolveDir: ROOT, sourcefile: 'validators.js (precompiled)', loader: 'js' },
  outfile: path.join(OUT, 'validators.js'),
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    stdin: { contents: mainEntry, resolveDir: ROOT, sourcefile: 'extension.js (entry)', loader: /** @type {const} */ ('js') },
    outfile: path.join(OUT, 'extension.js'),
    external: ['vscode'],
    plugins: [lazyChunks, featureChunks, precompiledValidators('validators.js')],
  },
  ...Object.entries(FEATURE_CHUNKS).map(([folder, file]) => ({
    ...common,
    entryPoints: [`${folder}/index.ts`],
    outfile: path.join(OUT, file),
    external: ['vscode'],
    plugins: [sharedFromMain, lazyChunks, precompiledValidators('validators.js')],
  })),
  ...chunkBuilds,
  // The host files that are chunks (the agreement report, the Review view's and Suggestions' workings): each its own
  // bundle, `vscode` and the extension's chunks external.
  ...Object.values(SOURCE_CHUNKS).map(({ entry, file }) => ({
    ...common,
    entryPoints: [entry],
    outfile: path.join(OUT, file),
    external: ['vscode'],
    plugins: [lazyChunks, featureChunks, precompiledValidators('validators.js')],
  })),
  validatorsChunk,
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: path.join(OUT, 'cli.js'), plugins: [precompiledValidators(), cliCaptureChunks] },
].filter((b) => !Array.isArray(b.entryPoints) || fs.existsSync(String(b.entryPoints[0])));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, metafile: analyze })));
  if (analyze) for (const r of results) if (r.metafile) console.log(await esbuild.analyzeMetafile(r.metafile));
}
