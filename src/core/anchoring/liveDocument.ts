// The annotations of one document while it is open in an editor: offsets follow every change event at once
// (never debounced), and are turned back into stored annotations (fresh quote, docHash) when the document is saved.
import { EditTracker, type TrackedSpan } from './editTracking';
import type { Annotation, TextEdit } from '../model';
import { reanchorDocument } from './reanchor';
import { contentHash, makeQuote } from '../model';

/** Where an annotation's passage is now, with the annotation as last stored. */
export interface LiveSpan {
  id: string;
  start: number;
  end: number;
  annotation: Annotation;
}

export interface LiveChange {
  /** Ids whose offsets changed one by one: reached by an edit, or (after a reload) mapped through the diff. */
  moved: string[];
  /** Whether the spans after an edit moved along with it (they are not listed in `moved`: see EditOutcome). */
  shifted: boolean;
  /** Ids that became orphans with this change. */
  orphaned: string[];
  /** How the change was followed: edit tracking, or a diff when the whole text was replaced (a reload from disk). */
  via: 'edits' | 'diff';
}

/** Share of the old text a single change must replace to count as a reload (VS Code replaces all on revert/reload). */
const WHOLESALE = 0.5;

export class LiveDocument {
  private tracker: EditTracker;
  private readonly byId = new Map<string, Annotation>();
  /** Ids changed since the last save (reached by an edit, orphaned, added). */
  private readonly dirty = new Set<string>();
  /** Whether spans were shifted since the last save: the save then compares every span with its stored offsets. */
  private shifted = false;
  private textValue: string;
  private hashValue: string | undefined;
  /** Each annotation with its last copy at moved offsets, so annotations() makes no new copy of what has not moved
   *  since it was last asked. Anything that changes the set drops this. */
  private rows: Array<{ a: Annotation; moved?: Annotation }> | undefined;
  version = 0;

  constructor(
    readonly doc: string,
    text: string,
    annotations: readonly Annotation[],
  ) {
    this.textValue = text;
    for (const a of annotations) this.byId.set(a.id, a);
    this.tracker = new EditTracker(this.trackable());
  }

  get text(): string {
    return this.textValue;
  }

  get hash(): string {
    return (this.hashValue ??= contentHash(this.textValue));
  }

  get size(): number {
    return this.byId.size;
  }

  get isDirty(): boolean {
    return this.dirty.size > 0 || this.shifted;
  }

  /** The annotations as they stand now: tracked offsets, stored quote until the next save. */
  annotations(): Annotation[] {
    this.rows ??= [...this.byId.values()].map((a) => ({ a }));
    return this.rows.map((row) => {
      const { a, moved } = row;
      const s = a.anchor.status === 'orphaned' ? undefined : this.tracker.offsets(a.id);
      if (!s || (s.start === a.target.start && s.end === a.target.end)) return a;
      if (moved && moved.target.start === s.start && moved.target.end === s.end) return moved;
      return (row.moved = at(a, s));
    });
  }

  /**
   * Spans (not orphaned) sharing at least one character with [start, end), in document order (by start, then longer
   * first), from the tracker itself: no index to rebuild after a keystroke. Made for drawing a viewport after each
   * keystroke, so no annotation is copied: `annotation` is the stored record (its `target` as last saved), `start`
   * and `end` are where its passage is now. Ask {@link get} or {@link touching} for the current annotation.
   */
  overlapping(start: number, end: number): LiveSpan[] {
    return this.tracker.overlapping(start, end, liveSpan);
  }

  /** Annotations (not orphaned) containing or bordering the caret position `offset`, in document order. */
  touching(offset: number): Annotation[] {
    return this.lookup(this.tracker.touching(offset));
  }

  private lookup(spans: readonly TrackedSpan[]): Annotation[] {
    return spans.map((s) => at(s.data as Annotation, s));
  }

  get(id: string): Annotation | undefined {
    const a = this.byId.get(id);
    return a && this.current(a);
  }

  /** Follows one change event. `newText` is the document's text after it. */
  applyChange(edits: readonly TextEdit[], newText: string): LiveChange {
    const oldText = this.textValue;
    this.version++;
    if (edits.length === 1 && isWholesale(edits[0], oldText.length)) return this.followByDiff(oldText, newText);
    this.textValue = newText;
    this.hashValue = undefined;
    const outcome = this.tracker.apply(edits);
    for (const id of outcome.changed) this.dirty.add(id);
    if (outcome.shifted) this.shifted = true;
    for (const id of outcome.orphaned) {
      const a = this.byId.get(id);
      if (!a) continue;
      // An orphan keeps the target it had when last saved, so it can be shown and re-attached.
      this.byId.set(id, { ...a, anchor: { status: 'orphaned', method: 'orphaned', detail: 'passage deleted in the editor' } });
      this.tracker.delete(id);
      this.dirty.add(id);
      this.rows = undefined;
    }
    if (outcome.orphaned.length === 0) return { moved: outcome.changed, shifted: outcome.shifted, orphaned: [], via: 'edits' };
    const orphaned = new Set(outcome.orphaned);
    return { moved: outcome.changed.filter((id) => !orphaned.has(id)), shifted: outcome.shifted, orphaned: outcome.orphaned, via: 'edits' };
  }

  /** Adds or replaces an annotation whose target refers to the current text. */
  set(a: Annotation): void {
    this.rows = undefined;
    this.byId.set(a.id, a);
    if (a.anchor.status === 'orphaned') this.tracker.delete(a.id);
    else this.tracker.set({ id: a.id, start: a.target.start, end: a.target.end, data: a });
    this.version++;
  }

  delete(id: string): boolean {
    this.rows = undefined;
    this.tracker.delete(id);
    this.dirty.delete(id);
    this.version++;
    return this.byId.delete(id);
  }

  /**
   * The annotations changed since the last save, as they should be stored against the current text: fresh quotes
   * and docHash; passages whose own text changed are marked re-anchored by edits. Clears the dirty set.
   */
  takeChanges(): Annotation[] {
    if (this.shifted) {
      // Shifted spans are not listed one by one while typing: find them now, once per save.
      for (const a of this.byId.values()) {
        const s = a.anchor.status === 'orphaned' ? undefined : this.tracker.offsets(a.id);
        if (s && (s.start !== a.target.start || s.end !== a.target.end)) this.dirty.add(a.id);
      }
      this.shifted = false;
    }
    const out: Annotation[] = [];
    for (const id of this.dirty) {
      const a = this.byId.get(id);
      if (!a) continue;
      const m = this.materialise(a);
      this.byId.set(id, m);
      out.push(m);
    }
    this.dirty.clear();
    this.rows = undefined;
    this.tracker = new EditTracker(this.trackable());
    return out;
  }

  private current(a: Annotation): Annotation {
    const s = a.anchor.status === 'orphaned' ? undefined : this.tracker.offsets(a.id);
    return s ? at(a, s) : a;
  }

  private materialise(a: Annotation): Annotation {
    if (a.anchor.status === 'orphaned') return a;
    const c = this.current(a);
    const { start, end } = c.target;
    // The passage's own text changed (typed into, partly deleted): say so; a passage that only moved stays anchored.
    const anchor =
      this.textValue.slice(start, end) !== a.target.quote.exact
        ? { status: 'reanchored' as const, method: 'edits' as const, detail: 'passage edited in the editor' }
        : a.anchor;
    return { ...c, target: { start, end, quote: makeQuote(this.textValue, start, end) }, provenance: { ...c.provenance, docHash: this.hash }, anchor };
  }

  private trackable(): TrackedSpan[] {
    return [...this.byId.values()].filter((a) => a.anchor.status !== 'orphaned').map((a) => ({ id: a.id, start: a.target.start, end: a.target.end, data: a }));
  }

  /** The whole text was replaced (reload, revert, another tool): map every annotation through a diff instead. */
  private followByDiff(oldText: string, newText: string): LiveChange {
    const oldHash = contentHash(oldText);
    const before = [...this.byId.values()].map((a) => (a.anchor.status === 'orphaned' ? a : this.materialiseAgainst(a, oldText, oldHash)));
    this.textValue = newText;
    this.hashValue = undefined;
    const results = reanchorDocument({ text: newText, annotations: before, snapshot: (h) => (h === oldHash ? oldText : undefined), textHash: this.hash });
    const moved: string[] = [];
    const orphaned: string[] = [];
    for (const r of results) {
      const prev = this.byId.get(r.id);
      if (!prev || prev.anchor.status === 'orphaned') continue; // stays an orphan until re-attached by a person
      this.dirty.add(r.id);
      if (r.status === 'orphaned') {
        // Keep the target as last stored: its docHash names a snapshot the store has, unlike the unsaved old text.
        this.byId.set(r.id, { ...prev, anchor: r.annotation.anchor });
        orphaned.push(r.id);
        continue;
      }
      this.byId.set(r.id, r.annotation);
      if (r.after && (r.after.start !== r.before.start || r.after.end !== r.before.end)) moved.push(r.id);
    }
    this.rows = undefined;
    this.shifted = false;
    this.tracker = new EditTracker(this.trackable());
    return { moved, shifted: false, orphaned, via: 'diff' };
  }

  private materialiseAgainst(a: Annotation, text: string, hash: string): Annotation {
    const c = this.current(a);
    const { start, end } = c.target;
    return { ...c, target: { start, end, quote: makeQuote(text, start, end) }, provenance: { ...c.provenance, docHash: hash } };
  }
}

function liveSpan(id: string, start: number, end: number, data: unknown): LiveSpan {
  return { id, start, end, annotation: data as Annotation };
}

/** The annotation at the tracked offsets (itself when they are the stored ones). */
function at(a: Annotation, s: TrackedSpan): Annotation {
  if (s.start === a.target.start && s.end === a.target.end) return a;
  return { ...a, target: { start: s.start, end: s.end, quote: a.target.quote } };
}

function isWholesale(e: TextEdit, oldLength: number): boolean {
  return oldLength > 0 && e.deleteLength >= oldLength * WHOLESALE && e.insertText.length > 0;
}
