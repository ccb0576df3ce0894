// The error a node raises when a service it needs (PostgreSQL, Redis) cannot be reached at start:
// it names the service and the URL (password hidden) and says what to check.

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export class ServiceUnavailableError extends Error {
  constructor(service: string, url: string, cause: unknown, hint: string) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot reach ${service} at ${redactUrl(url)}: ${why}. ${hint}`, { cause });
    this.name = new.target.name;
  }
}
