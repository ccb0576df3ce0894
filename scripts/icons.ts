// Renders assets/icon/icon.svg into the extension's toolbar and store icons, public/icon/: 16, 32, 48,
// 96 and 128 px, `N.png` for light toolbars and `dark-N.png` for dark ones. Run it after editing the
// SVG (`npm run icons`) and commit the PNGs: the build then needs no renderer. It renders with the
// Debian Chromium through playwright-core, which the end-to-end tests use already.
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/helpers/browsers';

export const ICON_SIZES = [16, 32, 48, 96, 128] as const;
const ROOT = resolve(import.meta.dirname, '..');

async function main() {
  const svg = await readFile(join(ROOT, 'assets/icon/icon.svg'), 'utf8');
  const out = join(ROOT, 'public/icon');
  await mkdir(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    for (const variant of ['light', 'dark'] as const) {
      for (const size of ICON_SIZES) {
        await page.setViewportSize({ width: size, height: size });
        await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
        await page.evaluate(
          ([s, dark]) => {
            const el = document.querySelector('svg')!;
            el.setAttribute('width', String(s));
            el.setAttribute('height', String(s));
            el.style.display = 'block';
            if (dark) el.classList.add('dark');
          },
          [size, variant === 'dark'] as const,
        );
        const file = join(out, variant === 'light' ? `${size}.png` : `dark-${size}.png`);
        await page.locator('svg').screenshot({ path: file, omitBackground: true });
        console.log(file);
      }
    }
  } finally {
    await browser.close();
  }
}

await main();
