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
  tagFormDone: 'marginalia._tagFormDone',
  search: 'marginalia.search',
  nextAnnotation: 'marginalia.nextAnnotation',
  previousAnnotation: 'marginalia.previousAnnotation',
  filterKinds: 'marginalia.filterKinds',
  clearFilter: 'marginalia.clearFilter',
  filterCoders: 'marginalia.filterCoders',
  toggleBlind: 'marginalia.toggleBlind',
  setBlindCoding: 'marginalia.setBlindCoding',
  compareWithCoder: 'marginalia.compareWithCoder',
  openCodebook: 'marginalia.openCodebook',
  restoreDocument: 'marginalia.restoreDocument',
  resolveConflict: 'marginalia.resolveConflict',
  suggest: 'marginalia.suggest',
  acceptSuggestion: 'marginalia.acceptSuggestion',
  rejectSuggestion: 'marginalia.rejectSuggestion',
  acceptAllSuggestions: 'marginalia.acceptAllSuggestions',
  reviewSuggestions: 'marginalia.reviewSuggestions',
  clearSuggestions: 'marginalia.clearSuggestions',
  tagAllMentions: 'marginalia.tagAllMentions',
  mergeEntities: 'marginalia.mergeEntities',
  addEntity: 'marginalia.addEntity',
  addKind: 'marginalia.addKind',
  renameKind: 'marginalia.renameKind',
  sortFiguresByValue: 'marginalia.sortFiguresByValue',
  sortFiguresAscending: 'marginalia.sortFiguresAscending',
  sortFiguresByDocument: 'marginalia.sortFiguresByDocument',
  /** For tests: the workspace model once loaded. */
  api: 'marginalia._api',
} as const;

export const VIEWS = { corpus: 'marginalia.corpus', entities: 'marginalia.entities', figures: 'marginalia.figures' } as const;

export const CONTEXT = {
  isCorpusDocument: 'marginalia:isCorpusDocument',
  onAnnotation: 'marginalia:onAnnotation',
  corpusEmpty: 'marginalia:corpusEmpty',
  readOnly: 'marginalia:readOnly',
  filtered: 'marginalia:filtered',
  hasConflicts: 'marginalia:hasConflicts',
  onSuggestion: 'marginalia:onSuggestion',
  hasSuggestions: 'marginalia:hasSuggestions',
  /** Blind coding is in force for this person in some folder. */
  blind: 'marginalia:blind',
  /** Some folder's codebook asks for blind coding (whether or not this person switched it off). */
  blindConfigured: 'marginalia:blindConfigured',
  /** This person compares their layer with another coder's. */
  comparing: 'marginalia:comparing',
  /** A tagging form (multi-step input) is open: its Done key applies. */
  tagForm: 'marginalia:tagForm',
} as const;
