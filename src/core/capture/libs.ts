// The third-party libraries of capture, loaded at their first use. They are large (a DOM, Readability, Turndown,
// pdf.js): the extension bundle keeps each in a chunk of its own (see CHUNKS in esbuild.mjs), so neither activation
// nor an editor that never adds a source loads them. Only the packages are chunked: this folder's own code, and the
// core classes whose identity matters (UserError), stay in the bundle that uses them.
import type * as Linkedom from 'linkedom';
import type * as ReadabilityLib from '@mozilla/readability';
import type TurndownService from 'turndown';

let linkedomLib: typeof Linkedom | undefined;
let readabilityLib: typeof ReadabilityLib | undefined;
let turndownLib: typeof TurndownService | undefined;
let pdfjsLib: PdfJs | undefined;

export function linkedom(): typeof Linkedom {
  return (linkedomLib ??= require('linkedom') as typeof Linkedom);
}

export function readability(): typeof ReadabilityLib {
  return (readabilityLib ??= require('@mozilla/readability') as typeof ReadabilityLib);
}

export function turndown(): typeof TurndownService {
  return (turndownLib ??= require('turndown') as typeof TurndownService);
}

/** The part of pdf.js capture uses (its own typings are ES-module only). */
export interface PdfJs {
  getDocument(options: { data: Uint8Array; isEvalSupported?: boolean; useSystemFonts?: boolean; disableFontFace?: boolean; verbosity?: number }): {
    promise: Promise<PdfDocument>;
    destroy(): Promise<void>;
  };
}

export interface PdfDocument {
  numPages: number;
  getMetadata(): Promise<{ info: unknown }>;
  getPage(n: number): Promise<PdfPage>;
  destroy(): Promise<void>;
}

export interface PdfPage {
  getTextContent(): Promise<{ items: readonly unknown[] }>;
  cleanup(): void;
}

/**
 * pdf.js, legacy build (the one for node), with its worker running in this thread: pdf.js looks for
 * `globalThis.pdfjsWorker` before it tries to start a worker of its own from a file.
 */
export function pdfjs(): PdfJs {
  if (!pdfjsLib) {
    const g = globalThis as { pdfjsWorker?: unknown };
    g.pdfjsWorker ??= require('pdfjs-dist/legacy/build/pdf.worker.mjs') as unknown;
    pdfjsLib = require('pdfjs-dist/legacy/build/pdf.mjs') as PdfJs;
  }
  return pdfjsLib;
}
