// Prometheus metrics of one server node, in a Registry of its own (never prom-client's global one,
// so several nodes in one process do not mix). Values are read from the usage meter and the live
// connections when scraped; labels are tenant and site, never page (pages are unbounded).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { UsageMeter } from './usage';

export interface NodeMetrics {
  readonly contentType: string;
  render(): Promise<string>;
}

export function createMetrics(deps: {
  usage: UsageMeter;
  /** Tenant ids of the authenticated connections on this node, one per connection. */
  connectionTenants(): Iterable<string>;
}): NodeMetrics {
  const registry = new Registry();
  new Counter({
    name: 'collab_chat_pubsub_messages_total',
    help: 'pubSubMessageCount: frames delivered to clients (each event in a batch counts as one)',
    labelNames: ['tenant', 'site'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const t of deps.usage.totalsSinceStart())
        this.inc({ tenant: t.tenantId, site: t.site }, t.messages);
    },
  });
  new Counter({
    name: 'collab_chat_pubsub_bandwidth_bytes_total',
    help: 'pubSubBandwidth: bytes written to client sockets, WebSocket framing included',
    labelNames: ['tenant', 'site'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const t of deps.usage.totalsSinceStart()) this.inc({ tenant: t.tenantId, site: t.site }, t.bytes);
    },
  });
  new Gauge({
    name: 'collab_chat_connections',
    help: 'Authenticated WebSocket connections on this node',
    labelNames: ['tenant'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const tenant of deps.connectionTenants()) counts.set(tenant, (counts.get(tenant) ?? 0) + 1);
      for (const [tenant, n] of counts) this.set({ tenant }, n);
    },
  });
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

/** Whether a request may read /metrics: always without a configured token, else with that Bearer. */
export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  // Equal-length digests, so the comparison takes the same time whatever was sent.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

/**
 * The `GET /metrics` route (Prometheus text format), behind the server's metrics token when one is
 * configured; returns false for any other request.
 */
export function createMetricsRoute(
  metrics: NodeMetrics,
  token: string | undefined,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') return false;
    if (!metricsAllowed(req.headers.authorization, token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ error: "send Authorization: Bearer <the server's METRICS_TOKEN>" }));
      return true;
    }
    metrics
      .render()
      .then((text) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
      })
      .catch((err: Error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `collecting metrics failed: ${err.message}` }));
      });
    return true;
  };
}
