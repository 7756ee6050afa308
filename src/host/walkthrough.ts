// The walkthrough on a first start. VS Code opens an extension's walkthrough when the extension is installed from
// the Marketplace or a VSIX in the window; `npm start` installs it before VS Code runs, so there the extension opens
// it itself, once per workspace, in the folder `npm start` names (its copy of the sample corpus).
import * as path from 'path';
import * as vscode from 'vscode';
import type { Logger } from './log';

/** The environment variable `npm start` sets to the folder whose first opening shows the walkthrough. */
export const WALKTHROUGH_FOLDER_ENV = 'MARGINALIA_WALKTHROUGH_FOLDER';
const WALKTHROUGH_ID = 'marginalia.start'; // package.json contributes.walkthroughs
const SHOWN_KEY = 'marginalia.walkthroughShown';

/** Opens the walkthrough when this window's folder is the one named in the environment and it was not shown there yet. */
export async function openWalkthroughOnFirstStart(context: vscode.ExtensionContext, log: Logger): Promise<void> {
  const wanted = process.env[WALKTHROUGH_FOLDER_ENV];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!wanted || folder?.scheme !== 'file' || path.resolve(folder.fsPath) !== path.resolve(wanted)) return;
  if (context.workspaceState.get<boolean>(SHOWN_KEY)) return;
  await context.workspaceState.update(SHOWN_KEY, true);
  log.info(`first start in ${folder.fsPath}: opening the walkthrough`);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false);
}
