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
  search: 'marginalia.search',
  nextAnnotation: 'marginalia.nextAnnotation',
  previousAnnotation: 'marginalia.previousAnnotation',
  filterKinds: 'marginalia.filterKinds',
  clearFilter: 'marginalia.clearFilter',
  openCodebook: 'marginalia.openCodebook',
  restoreDocument: 'marginalia.restoreDocument',
  addKind: 'marginalia.addKind',
  renameKind: 'marginalia.renameKind',
  sortFiguresByValue: 'marginalia.sortFiguresByValue',
  sortFiguresAscending: 'marginalia.sortFiguresAscending',
  sortFiguresByDocument: 'marginalia.sortFiguresByDocument',
  /** For tests: the workspace model once loaded. */
  api: 'marginalia._api',
} as const;

export const VIEWS = { corpus: 'marginalia.corpus', figures: 'marginalia.figures' } as const;

export const CONTEXT = {
  isCorpusDocument: 'marginalia:isCorpusDocument',
  onAnnotation: 'marginalia:onAnnotation',
  corpusEmpty: 'marginalia:corpusEmpty',
  readOnly: 'marginalia:readOnly',
  filtered: 'marginalia:filtered',
} as const;
