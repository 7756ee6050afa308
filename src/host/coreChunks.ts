// The core folders the extension loads at their first use, each a chunk of its own (esbuild.mjs, FEATURE_CHUNKS): the
// export and import formats (dist/formats.js), reading and comparing the documents (figures, names, suggestions,
// tag questions, document headers, agreement and review: dist/research.js) and capturing sources (dist/capture.js).
// Host code calls these where it needs a folder and imports only its types, so activation loads none of them; esbuild
// turns each `require` into one of the chunk, and refuses a plain import of the folder.
import type * as Formats from '../core/formats';
import type * as Research from '../core/research';
import type * as Capture from '../core/capture';

let formatsFolder: typeof Formats | undefined;
let researchFolder: typeof Research | undefined;
let captureFolder: typeof Capture | undefined;

/** src/core/formats: export, import and REFI-QDA. */
export function formats(): typeof Formats {
  return (formatsFolder ??= require('../core/formats') as typeof Formats);
}

/** src/core/research: figures, names, suggestions, tag questions, document headers, agreement and review. */
export function research(): typeof Research {
  return (researchFolder ??= require('../core/research') as typeof Research);
}

/** src/core/capture: Add Source and the Hypothesis import. */
export function capture(): typeof Capture {
  return (captureFolder ??= require('../core/capture') as typeof Capture);
}
