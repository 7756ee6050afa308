// JSON with the line and column of every value, for error messages that point into a large file. JSON.parse reports
// no places, and an error that says "documents[3].target" without a line is hard to find in a 10 MB file. Parsing is
// jsonc-parser's (strict: no comments, no trailing commas); on top of it this refuses what a Marginalia file never
// holds: duplicate keys (as the YAML reader does) and nesting deeper than MAX_JSON_DEPTH.
import { createScanner, parseTree, printParseErrorCode, SyntaxKind, type Node, type ParseError, type ParseErrorCode } from 'jsonc-parser';
import { LineIndex, inexactNumberReason } from '../model';
import type { ValuePath, YamlFileErrorCode } from '../yaml';
import { ExportFormatError } from './exportInput';

export interface LocatedJson {
  value: unknown;
  /** 1-based line and column (UTF-16) of the value at `path` (or of its key); the deepest existing ancestor's place
   *  when the path does not exist. */
  locate(path: ValuePath, key?: boolean): { line: number; column: number } | undefined;
}

export const MAX_JSON_DEPTH = 256;

/** Parses JSON, refusing duplicate keys and nesting deeper than 256; errors are ExportFormatError with line and column. */
export function parseJsonLocated(source: string, file: string): LocatedJson {
  // A byte order mark is no JSON token; it is skipped, and offsets still count it (they index `source`).
  const bom = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const text = bom ? source.slice(1) : source;
  let lines: LineIndex | undefined;
  const place = (offset: number): { line: number; column: number } => {
    const p = (lines ??= new LineIndex(source)).position(offset + bom);
    return { line: p.line + 1, column: p.character + 1 };
  };
  const fail = (offset: number, reason: string, code: YamlFileErrorCode = 'syntax'): ExportFormatError => {
    const p = place(offset);
    const hint = code === 'syntax' ? '; fix the JSON, or export again' : '';
    return new ExportFormatError(file, code, `${code === 'syntax' ? 'not valid JSON: ' : ''}${reason}${hint}`, p.line, p.column);
  };
  if (/^[\t\n\r ]*$/.test(text)) throw fail(text.length, 'the file is empty; export again, or restore it', 'empty');

  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (e) {
    // jsonc-parser recurses once per level: thousands of levels overflow the stack before any check of ours runs.
    if (!(e instanceof RangeError)) throw e;
    throw fail(Math.max(0, tooDeepAt(text)), `values are nested more than ${MAX_JSON_DEPTH} deep; no annotation file needs that`);
  }
  if (errors.length > 0) {
    // Nesting too deep is the better message when it comes first (a file of thousands of "[" is cut short too).
    const deep = tooDeepAt(text);
    if (deep !== -1 && deep <= errors[0].offset) throw fail(deep, `values are nested more than ${MAX_JSON_DEPTH} deep; no annotation file needs that`);
    throw fail(errors[0].offset, describeError(errors[0].error, text, errors[0].offset));
  }
  if (root === undefined) throw fail(0, 'no JSON value found');
  const value = toValue(root, 1, fail, (n) => text.slice(n.offset, n.offset + n.length));
  return {
    value,
    locate(path, key = false) {
      for (let n = path.length; n >= 0; n--) {
        const node = nodeAt(root, path.slice(0, n));
        if (node === undefined) continue;
        const keyNode = key && n === path.length && node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
        return place((keyNode ?? node).offset);
      }
      return undefined;
    },
  };
}

/** The node at `path`, or undefined (jsonc-parser's findNodeAtLocation takes a path too, but reads "__proto__" and
 *  array indices given as strings loosely; ours are exact). */
function nodeAt(root: Node, path: ValuePath): Node | undefined {
  let node: Node | undefined = root;
  for (const segment of path) {
    if (node === undefined) return undefined;
    if (node.type === 'object' && typeof segment === 'string') {
      node = node.children?.find((p) => p.children?.[0].value === segment)?.children?.[1];
    } else if (node.type === 'array' && typeof segment === 'number') {
      node = node.children?.[segment];
    } else {
      return undefined;
    }
  }
  return node;
}

type Fail = (offset: number, reason: string, code?: YamlFileErrorCode) => ExportFormatError;

/** The plain value of a node, with duplicate keys and depth checked. Recursion is bounded by MAX_JSON_DEPTH. */
function toValue(node: Node, depth: number, fail: Fail, source: (n: Node) => string): unknown {
  if (depth > MAX_JSON_DEPTH) throw fail(node.offset, `values are nested more than ${MAX_JSON_DEPTH} deep; no annotation file needs that`);
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        const key = keyNode.value as string;
        if (Object.hasOwn(out, key)) throw fail(keyNode.offset, `the property ${JSON.stringify(key)} appears twice in one object; keep one`);
        // defineProperty: a "__proto__" key stays a plain property instead of replacing the prototype.
        Object.defineProperty(out, key, {
          value: valueNode === undefined ? null : toValue(valueNode, depth + 1, fail, source),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((child) => toValue(child, depth + 1, fail, source));
    case 'number': {
      // A number a double cannot hold as written (9007199254740993, .5e-400) would change silently on load.
      const written = source(node);
      const why = inexactNumberReason(written);
      if (why !== undefined)
        throw fail(node.offset, `the number ${written} would not load as written: ${why}; write it as a string ("${written}") to keep it as text`, 'invalid');
      return node.value;
    }
    default:
      return node.value;
  }
}

/** Where nesting first passes MAX_JSON_DEPTH, found with the scanner (which does not recurse); -1 if it never does. */
function tooDeepAt(text: string): number {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    if (kind === SyntaxKind.OpenBraceToken || kind === SyntaxKind.OpenBracketToken) {
      if (++depth > MAX_JSON_DEPTH) return scanner.getTokenOffset();
    } else if (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken) {
      depth--;
    }
  }
  return -1;
}

/** A parse error in words, saying what was found where something else was expected. */
function describeError(code: ParseErrorCode, text: string, offset: number): string {
  const found = offset >= text.length ? 'the end of the file' : JSON.stringify(String.fromCodePoint(text.codePointAt(offset) as number));
  switch (printParseErrorCode(code)) {
    case 'PropertyNameExpected':
      return `expected a property name in double quotes, found ${found}`;
    case 'ValueExpected':
      return `unexpected ${found} where a value should be`;
    case 'ColonExpected':
      return `expected ":" after a property name, found ${found}`;
    case 'CommaExpected':
      return `expected "," between values, found ${found}`;
    case 'CloseBraceExpected':
      return `expected "," or "}" after a property value, found ${found}`;
    case 'CloseBracketExpected':
      return `expected "," or "]" after a list item, found ${found}`;
    case 'EndOfFileExpected':
      return `unexpected ${found} after the end of the JSON value`;
    case 'UnexpectedEndOfString':
      return 'a string is not closed (no ending ")';
    case 'InvalidCharacter':
      return `a control character (U+${(text.charCodeAt(offset) || 0).toString(16).toUpperCase().padStart(4, '0')}) must be escaped inside a string`;
    case 'InvalidEscapeCharacter':
    case 'InvalidUnicode':
      return `invalid escape ${JSON.stringify(text.slice(offset, offset + 2))} in a string`;
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return `invalid number starting with ${found}`;
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return 'comments are not allowed in JSON';
    default:
      return `unexpected ${found}`;
  }
}
