// Command ids, view ids and context keys (as declared in package.json).
export const COMMANDS = {
  tag: 'marginalia.tag',
  tagClaim: 'marginalia.tagClaim',
  tagFigure: 'marginalia.tagFigure',
  tagEntity: 'marginalia.tagEntity',
  editNote: 'marginalia.editNote',
  editAttributes: 'marginalia.editAttributes',
  changeKind: 'marginalia.changeKind',
  deleteAnnotation: 'marginalia.deleteAnnotation',
  undo: 'marginalia.undo',
  reattach: 'marginalia.reattach',
  revealInTree: 'marginalia.revealInTree',
  export: 'marginalia.export',
  checkAnchors: 'marginalia.checkAnchors',
  refresh: 'marginalia.refresh',
  showLog: 'marginalia.showLog',
  openAnnotation: 'marginalia._openAnnotation',
  /** For tests: the workspace model once loaded. */
  api: 'marginalia._api',
} as const;

export const VIEWS = { corpus: 'marginalia.corpus' } as const;

export const CONTEXT = {
  isCorpusDocument: 'marginalia:isCorpusDocument',
  onAnnotation: 'marginalia:onAnnotation',
  corpusEmpty: 'marginalia:corpusEmpty',
  readOnly: 'marginalia:readOnly',
} as const;
