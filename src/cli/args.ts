// Command-line parsing for `marginalia`, on node's own parseArgs.
import { parseArgs } from 'node:util';
import { UserError } from '../core/model';

/** A command line that does not say what to do; the message is followed by a pointer to --help. */
export class UsageError extends UserError {}

export const USAGE = `Usage: marginalia <command> [options]

Commands:
  add <doc> --kind K (--start N --end M | --quote TEXT [--occurrence N | --near OFFSET]) [--offset-unit U]
      [--note T] [--attr key=value ...] [--author NAME] [--json]
      Tag a passage of <doc> as kind K: the span [N, M), or the exact text TEXT (when it occurs more than once,
      the N-th occurrence or the one nearest OFFSET). Offsets count UTF-16 code units unless --offset-unit says
      codepoint (Python, the W3C model) or byte (UTF-8 bytes of the file, as grep -bo counts); an offset inside
      a character is refused.
  remove ID... [--json]
      Delete the annotations with these ids (all or none: an unknown id changes nothing).
  edit ID [--note T] [--attr key=value ...] [--kind K] [--json]
      Change an annotation's note, attributes (key= with no value removes one) or kind; its modified time is
      updated. Attributes are checked against the kind as add checks them.
  link FROM_ID TYPE TO_ID [--author NAME] [--json]
      Link two annotations with a relation type of the codebook (built in: supports, contradicts, same-as,
      quotes), e.g. a figure that supports a claim. The codebook says which kinds each type may join.
  unlink FROM_ID TYPE TO_ID [--json]
      Remove that relation (also when TO_ID is gone; for a symmetric type, either way round).
  list [<doc>] [--kind K] [--layer coders|reviewed] [--json]
      List annotations: id, kind, document, start, end, status and quote. A document changed since its
      annotations were anchored is re-anchored in memory, and those rows are marked (status with a *; in JSON
      "reanchoredInMemory": true and the stored values under "stored"); run check --write to save that.
      In JSON each row has its "relations" (with the other end's document) and "linkedFrom".
  check [--json] [--write] [--layer coders|reviewed]
      Re-anchor every annotation against the documents' current text; exit 1 if any is orphaned, or a relation
      points to an annotation that is gone or joins kinds the codebook does not allow. A document moved on disk
      (its text found under a new name) takes its annotations along. --write saves all this.
  export [--format yaml|w3c|csv|brat|qdpx|qdc] [--out FILE|DIR] [--layer coders|reviewed] [<doc> ...]
      Export annotations of the whole corpus, or of the named documents: the coders' (default), or the reviewed
      set that review decisions made of them (--layer reviewed). CSV with --out x.csv also writes the relations
      as an edge list to x.relations.csv. qdpx writes a REFI-QDA project (for NVivo, MAXQDA, ATLAS.ti,
      QualCoder: texts, codes, codings, notes, links) and needs --out FILE.qdpx; qdc the codebook alone.
  import FILE [--to DIR]
      Read an export back into this workspace: a YAML export (.yaml), a W3C JSON-LD collection (.jsonld, .json)
      or a CSV export (.csv, with the relations of x.relations.csv beside it, when there is one); the format is
      told by the extension, else by the content. A REFI-QDA project (.qdpx) brings its texts as documents into
      DIR (default: a folder named after the project; . for the workspace folder), its codes as kinds (parent/child
      for nested ones), its codings as annotations; a codebook (.qdc) brings its codes as kinds.
  git-setup
      Make git merge sidecars by annotation id: writes .marginalia/.gitattributes (commit it) and sets
      merge.marginalia.* in this repository's git config (every clone runs this once).
  merge-driver <base> <ours> <theirs> [<path>]
      The merge driver git runs (as %O %A %B %P): merges three versions of a sidecar by annotation id into
      <ours>. Exit 1, leaving <ours> as it was, when a version cannot be read, so git reports a conflict.
  docs [--json]
      List the corpus documents with their annotation counts; files that are not text (binary, not UTF-8) are
      left out with a warning, and documents that are gone but still have annotations are marked.
  review list [<doc> ...] [--coders A,B,...] [--all] [--json]
      The disagreements between the coders (every coder, or those given; A is the first): a passage only some
      tagged, different kinds, different boundaries, different attribute values. Each has an id; decided ones
      are left out unless --all.
  review decide ID (A|B|CODER|both|merged|neither) [--kind K] [--coders A,B,...] [--author NAME]
      Settle one disagreement into the reviewed set (.marginalia/reviewed): one coder's version, every coder's,
      one merged annotation over the whole passage (--kind when the coders chose different kinds), or none. The
      decision records the reviewer (--author, MARGINALIA_AUTHOR, git user.name) and the time; the document's
      passages the coders agree on are accepted with it. The coders' annotations are never changed.
  review accept-agreed [--coders A,B,...] [--author NAME]
      Accept every passage the coders agree on into the reviewed set, in every document.
  restore <doc>
      Write a deleted document back from the snapshot its annotations were last anchored to.
  agreement [<doc> ...] [--kind K ...] [--coders A,B,...] [--json]
      How far the coders (the annotations' authors) agree on the named documents or the whole corpus, per kind,
      per document and overall: Krippendorff's unitized alpha (where units lie), Cohen's kappa (two coders) or
      Fleiss' kappa (more) per code unit, Krippendorff's alpha on attribute values, and where they disagree. Only
      documents every compared coder annotated count; "–" (null in JSON) where there is nothing to compare.
  resolve [<doc> ...]
      Resolve the sidecars of the named documents, or every sidecar with conflict markers or an unresolved git
      conflict, keeping the annotations of both sides (the later edit of one changed on both). During a git merge
      it merges git's three versions of the file; otherwise, or if the file was edited since, its markers.

  add-source FILE|URL [--to DIR] [--json]
      Capture a source: a web page (a URL, or a saved .html file), a PDF or a text file becomes a Markdown
      document in DIR (default: sources) whose front matter records its title, author, site, published date,
      url, when it was retrieved, the SHA-256 of the original and the tool. The original is kept as
      .marginalia/originals/<sha256>. Adding the same source again changes nothing.
  check-sources [--json]
      Derive each captured source's text again from its original and compare; exit 1 when an original is
      missing or damaged, or a document's text differs from what its original gives.
  import-hypothesis FILE [--kind K] [--author NAME] [--json]
      Bring Hypothesis annotations (its API's JSON) onto the captured sources whose url they name, anchored by
      their quotes. The kind is the first tag that names a kind of the codebook; else K, else the codebook's
      note kind (note, comment or highlight), else claim. Prints how many were anchored and each that was not.

Options for every command:
  --root DIR   the workspace folder (default: the current folder)
  --author     the coder (add) or reviewer (review) recorded; else MARGINALIA_AUTHOR, git user.name, the login
  --help       this text
`;

export interface ParsedArgs {
  command: string;
  positionals: string[];
  root: string;
  values: {
    kind?: string;
    /** Every --kind given (agreement takes several; the other commands one, in `kind`). */
    kinds?: string[];
    coders?: string;
    start?: string;
    end?: string;
    quote?: string;
    occurrence?: string;
    near?: string;
    'offset-unit'?: string;
    note?: string;
    attr?: string[];
    author?: string;
    json?: boolean;
    write?: boolean;
    format?: string;
    out?: string;
    to?: string;
    layer?: string;
    all?: boolean;
    help?: boolean;
  };
}

const OPTIONS = {
  root: { type: 'string' },
  kind: { type: 'string', multiple: true },
  coders: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  quote: { type: 'string' },
  occurrence: { type: 'string' },
  near: { type: 'string' },
  'offset-unit': { type: 'string' },
  note: { type: 'string' },
  attr: { type: 'string', multiple: true },
  author: { type: 'string' },
  json: { type: 'boolean' },
  write: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string' },
  to: { type: 'string' },
  layer: { type: 'string' },
  all: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes; anything else is a usage error, so typos do not pass silently. */
const ALLOWED: Record<string, readonly string[]> = {
  add: ['kind', 'start', 'end', 'quote', 'occurrence', 'near', 'offset-unit', 'note', 'attr', 'author', 'json'],
  remove: ['json'],
  link: ['author', 'json'],
  unlink: ['json'],
  edit: ['note', 'attr', 'kind', 'json'],
  list: ['kind', 'json', 'layer'],
  check: ['json', 'write', 'layer'],
  export: ['format', 'out', 'layer'],
  review: ['coders', 'all', 'json', 'kind', 'author'],
  import: ['author', 'to'],
  'git-setup': [],
  'merge-driver': [],
  resolve: [],
  docs: ['json'],
  restore: [],
  agreement: ['kind', 'coders', 'json'],
  'add-source': ['to', 'json'],
  'check-sources': ['json'],
  'import-hypothesis': ['kind', 'author', 'json'],
};

export function parseCommandLine(argv: readonly string[], cwd: string): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const [command = '', ...positionals] = parsed.positionals;
  const { kind: kinds, ...rest } = parsed.values;
  const values = rest as ParsedArgs['values'] & { root?: string };
  if (kinds !== undefined) {
    if (kinds.length > 1 && command !== 'agreement') throw new UsageError(`--kind is given ${kinds.length} times; ${command} takes one kind`);
    values.kind = kinds[0];
    values.kinds = kinds;
  }
  if (values.help || command === 'help' || command === '') return { command: 'help', positionals, root: cwd, values };
  const allowed = ALLOWED[command];
  if (!allowed) throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(ALLOWED).join(', ')})`);
  for (const key of Object.keys(values)) {
    if (key === 'kinds') continue;
    if (key !== 'root' && key !== 'help' && !allowed.includes(key)) throw new UsageError(`${command} does not take --${key}`);
  }
  return { command, positionals, root: values.root ?? cwd, values };
}

/** Parses a non-negative whole number given for --name. */
export function intOption(name: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return Number(value);
}

/** Parses repeated `--attr key=value` into an object. */
export function attrOptions(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of values ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--attr takes key=value, got "${kv}"`);
    out[kv.slice(0, i).trim()] = kv.slice(i + 1);
  }
  return out;
}
