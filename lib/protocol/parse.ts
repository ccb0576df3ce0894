// Turning untrusted text into typed frames, with an error a person can read when that fails.
import { z } from 'zod';
import {
  BroadcastId,
  CLIENT_FRAME_TYPES,
  ClientFrame,
  WireServerFrame,
  type ClientFrameT,
  type WireServerFrameT,
} from './frames';
import { pageKeyFromUrl } from '../page-key/normalise';
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

/** What an error about an untrusted frame may name: its broadcastId and page, when readable. */
export interface FrameAbout {
  broadcastId?: string;
  page?: string;
}

function aboutObject(obj: Record<string, unknown>): FrameAbout {
  const about: FrameAbout = {};
  // Echoed only when valid, so that the error itself passes the ErrorFrame schema.
  if (BroadcastId.safeParse(obj.broadcastId).success) about.broadcastId = obj.broadcastId as string;
  if (typeof obj.page === 'string') about.page = pageKeyFromUrl(obj.page) ?? obj.page.slice(0, 256);
  return about;
}

/**
 * The broadcastId and page of a frame that is refused without being handled (over the rate limit,
 * too many waiting), so the refusal names the write it refuses. Never throws.
 */
export function frameAbout(text: string): FrameAbout {
  try {
    const raw: unknown = JSON.parse(text);
    return typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? aboutObject(raw as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
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
  const { broadcastId, page } = aboutObject(obj);
  if (typeof obj.type !== 'string' || !(CLIENT_FRAME_TYPES as string[]).includes(obj.type)) {
    return {
      ok: false,
      code: 'unknown-type',
      message: `unknown frame type ${describeValue(obj.type)}; expected one of ${CLIENT_FRAME_TYPES.join(', ')}`,
      ...(broadcastId !== undefined && { broadcastId }),
    };
  }
  const parsed = ClientFrame.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'bad-frame',
      message: `invalid ${obj.type}: ${describeIssues(parsed.error)}`,
      ...(broadcastId !== undefined && { broadcastId }),
      ...(page !== undefined && { page }),
    };
  }
  return { ok: true, frame: parsed.data };
}

/** Parses one server frame as sent (used by the extension and by tests). Never throws. */
export function parseServerFrame(text: string): ParseResult<WireServerFrameT> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-json', message: 'frame is not valid JSON' };
  }
  const parsed = WireServerFrame.safeParse(raw);
  if (!parsed.success) return { ok: false, code: 'bad-frame', message: describeIssues(parsed.error) };
  return { ok: true, frame: parsed.data };
}
