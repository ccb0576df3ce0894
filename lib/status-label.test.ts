import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import type { StatusT } from '@/lib/messaging';
import { useEnglishMessages } from '@/test/unit/i18n';
import { connectionSummary } from './status-label';

const status = (state: StatusT['state'], more: Partial<StatusT> = {}): StatusT => ({
  state,
  queued: 0,
  me: null,
  tenant: null,
  role: null,
  ...more,
});

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});

describe('connectionSummary', () => {
  it('reads a first attempt as connecting and an attempt after a connection as reconnecting', () => {
    expect(connectionSummary(status('connecting'))).toBe('Connecting…');
    expect(connectionSummary(status('connecting', { resuming: true, queued: 1 }))).toBe(
      'Reconnecting… · 1 queued',
    );
    expect(connectionSummary(status('reconnecting', { queued: 1 }))).toBe('Reconnecting… · 1 queued');
  });

  it('says "trying now" for an attempt the person started, first or not', () => {
    expect(connectionSummary(status('connecting', { trying: true, resuming: true }))).toMatch(/^Trying now/);
  });

  it('names a refused token and a protocol mismatch apart from other refusals, with writes not sent', () => {
    expect(connectionSummary(status('refused', { detail: 'token-refused', unsent: 1 }))).toBe(
      'Your token no longer works · 1 not sent',
    );
    expect(connectionSummary(status('refused', { detail: 'protocol-mismatch' }))).toBe(
      'Update needed: the server speaks another version',
    );
    expect(connectionSummary(status('refused', { detail: 'insecure' }))).toBe(
      'Not connected: check the options',
    );
    expect(connectionSummary(status('reconnecting', { queued: 2, unsent: 1 }))).toBe(
      'Reconnecting… · 2 queued · 1 not sent',
    );
  });
});
