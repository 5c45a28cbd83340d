// Screenshot an HTML page with headless Chromium (used to check the trace view
// renders: swimlanes visible, labels legible).

import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
/** The window the trace page is made for: it fits 1400 px without horizontal scrolling (trace_html.ts PAGE_WIDTH). */
export const WINDOW = { width: 1400, height: 900 };

export async function screenshotHtml(htmlPath: string, pngPath: string): Promise<void> {
  const profile = await mkdtemp(join(tmpdir(), 'realmrace-chromium-'));
  const png = resolve(pngPath);
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--window-size=${WINDOW.width},${WINDOW.height}`,
    `--screenshot=${png}`, pathToFileURL(resolve(htmlPath)).href,
  ];
  try {
    await new Promise<void>((ok, fail) => {
      execFile(CHROMIUM, args, { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) fail(new Error(`chromium screenshot of ${htmlPath} failed: ${err.message}${stderr ? `\n${String(stderr).slice(-2000)}` : ''}`));
        else ok();
      });
    });
    await stat(png).catch(() => {
      throw new Error(`chromium exited but wrote no screenshot at ${png}`);
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
