// Colours and icons of kinds: contributed theme colours for the built-in kinds, the codebook's colour otherwise.
import * as vscode from 'vscode';
import type { KindDefinition } from '../core/store';

const BUILTIN: Record<string, string> = { claim: 'comment-discussion', figure: 'symbol-number', entity: 'symbol-class' };

export function isBuiltinKind(kind: string): boolean {
  return kind in BUILTIN;
}

/** The codicon of a kind (codebook icon, else a built-in default). */
export function kindIcon(kind: string, def: KindDefinition | undefined): vscode.ThemeIcon {
  return new vscode.ThemeIcon(
    def?.icon ?? BUILTIN[kind] ?? 'tag',
    new vscode.ThemeColor(isBuiltinKind(kind) ? `marginalia.${kind}Ruler` : 'marginalia.otherRuler'),
  );
}

/** Highlight background: the contributed theme colour of a built-in kind, else the codebook colour, translucent. */
export function kindBackground(kind: string, def: KindDefinition | undefined): string | vscode.ThemeColor {
  if (isBuiltinKind(kind)) return new vscode.ThemeColor(`marginalia.${kind}Background`);
  return def?.colour ? `${def.colour}40` : new vscode.ThemeColor('marginalia.otherBackground');
}

export function kindRuler(kind: string, def: KindDefinition | undefined): string | vscode.ThemeColor {
  if (isBuiltinKind(kind)) return new vscode.ThemeColor(`marginalia.${kind}Ruler`);
  return def?.colour ?? new vscode.ThemeColor('marginalia.otherRuler');
}

export function kindBorder(kind: string, def: KindDefinition | undefined): string | vscode.ThemeColor {
  return kindRuler(kind, def);
}
