// Serves the admin dashboard: its page, script and style from this folder, and Chart.js from
// node_modules (never a CDN). Files are read once, when the server starts.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Asset {
  type: string;
  body: Buffer;
}

export function createDashboardAssets() {
  const here = dirname(fileURLToPath(import.meta.url));
  // chart.js exports no path to its browser build; find it beside the package's main file.
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const assets = new Map<string, Asset>([
    ['/dashboard', { type: 'text/html; charset=utf-8', body: readFileSync(join(here, 'index.html')) }],
    [
      '/dashboard/dashboard.js',
      { type: 'text/javascript; charset=utf-8', body: readFileSync(join(here, 'dashboard.js')) },
    ],
    [
      '/dashboard/dashboard.css',
      { type: 'text/css; charset=utf-8', body: readFileSync(join(here, 'dashboard.css')) },
    ],
    [
      '/dashboard/chart.js',
      { type: 'text/javascript; charset=utf-8', body: readFileSync(join(chartDir, 'chart.umd.min.js')) },
    ],
  ]);
  assets.set('/dashboard/', assets.get('/dashboard')!);

  /** Answers GET requests for the dashboard's files; false for any other path. */
  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0]!;
    const asset = assets.get(path);
    if (!asset || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      // The page talks only to this server and runs only its own files.
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
