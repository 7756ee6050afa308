// Which workspace folder a command works in: the one its arguments name, the only one, or the one the person picks.
import type * as vscode from 'vscode';
import { plural } from '../core/model';
import { Cancelled, UserFacingError } from './commands';
import type { FolderModel } from './folderModel';

/** Shows a quick pick (window.showQuickPick, or a test's stand-in). */
export type PickOne = <T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions) => Thenable<T | undefined>;

/**
 * The folder named by `uri` (a URI string), else the only folder, else the one picked from `all` with `question`.
 * `none` says what to do when no folder is open.
 */
export async function pickFolder(all: readonly FolderModel[], uri: string | undefined, pick: PickOne, question: string, none: string): Promise<FolderModel> {
  const named = uri && all.find((f) => f.folder.uri.toString() === uri);
  if (named) return named;
  if (all.length === 0) throw new UserFacingError(none);
  if (all.length === 1) return all[0];
  const picked = await pick(
    all.map((f) => ({ label: f.name, description: plural(f.count(), 'annotation'), f })),
    { placeHolder: question },
  );
  if (!picked) throw new Cancelled();
  return picked.f;
}
