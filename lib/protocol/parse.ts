// Turning untrusted text into typed frames, with an error a person can read when that fails.
import { z } from 'zod';
import {
  BroadcastId,
  CLIENT_FRAME_TYPES,
  ClientFrame,
  ServerFrame,
  type ClientFrameT,
  type ServerFrameT,
} from './frames';
import type { ErrorCode } from './limits';

export type ParseResult<T> =
  | { ok: true; frame: T }
  | { ok: false; code: ErrorCode; message: string; broadcastId?: string; page?: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Names an untrusted JSON value for an error message without converting it: `String()` of an object
 * whose `toString` is not a function (`{"toString": 1}`) throws.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value === undefined) return '(missing)';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  return Array.isArray(value) ? '(an array)' : '(an object)';
}

/** Parses one client frame. Never throws. */
export function parseClientFrame(text: string): ParseResult<ClientFrameT> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-json', message: 'frame is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: 'bad-frame', message: 'frame must be a JSON object with a "type"' };
  }
  const obj = raw as Record<string, unknown>;
  // Echoed in the error frame only when valid, so that the error itself passes the ErrorFrame schema.
  const broadcastId = BroadcastId.safeParse(obj.broadcastId).success
    ? (obj.broadcastId as string)
    : undefined;
  const page = typeof obj.page === 'string' ? obj.page.slice(0, 256) : undefined;
  if (typeof obj.type !== 'string' || !(CLIENT_FRAME_TYPES as string[]).includes(obj.type)) {
    return {
      ok: false,
      code: 'unknown-type',
      message: `unknown frame type ${describeValue(obj.type)}; expected one of ${CLIENT_FRAME_TYPES.join(', ')}`,
      broadcastId,
    };
  }
  const parsed = ClientFrame.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'bad-frame',
      message: `invalid ${obj.type}: ${describeIssues(parsed.error)}`,
      broadcastId,
      page,
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Parses one server frame (used by the extension and by tests). Never throws. */
export function parseServerFrame(text: string): ParseResult<ServerFrameT> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-json', message: 'frame is not valid JSON' };
  }
  const parsed = ServerFrame.safeParse(raw);
  if (!parsed.success) return { ok: false, code: 'bad-frame', message: describeIssues(parsed.error) };
  return { ok: true, frame: parsed.data };
}
