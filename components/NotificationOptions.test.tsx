import { cleanup, fireEvent, render, screen, waitFor } from '@solidjs/testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { notificationSettingsStorage } from '@/lib/storage';
import { useEnglishMessages } from '@/test/unit/i18n';
import { NotificationOptions, type NotificationPermission } from './NotificationOptions';

function permission(answer: boolean) {
  let granted = false;
  const asked: string[] = [];
  const p: NotificationPermission = {
    contains: async () => granted,
    request: async () => {
      asked.push('request');
      granted = answer;
      return answer;
    },
    remove: async () => {
      asked.push('remove');
      granted = false;
      return true;
    },
  };
  return { p, asked };
}

beforeEach(() => {
  fakeBrowser.reset();
  useEnglishMessages();
});
afterEach(cleanup);

describe('NotificationOptions', () => {
  it('stays connected when asked', async () => {
    render(() => <NotificationOptions permission={permission(true).p} />);
    const box = (await screen.findByTestId('stay-connected')) as HTMLInputElement;
    expect(box.checked).toBe(false);
    fireEvent.click(box);
    await waitFor(async () =>
      expect((await notificationSettingsStorage.getValue()).stayConnected).toBe(true),
    );
    expect(box.checked).toBe(true);
  });

  it('asks for the permission from the click, and gives it back when turned off', async () => {
    const { p, asked } = permission(true);
    render(() => <NotificationOptions permission={p} />);
    const box = (await screen.findByTestId('desktop-notifications')) as HTMLInputElement;
    fireEvent.click(box);
    await waitFor(async () => expect((await notificationSettingsStorage.getValue()).desktop).toBe(true));
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    await waitFor(async () => expect((await notificationSettingsStorage.getValue()).desktop).toBe(false));
    expect(asked).toEqual(['request', 'remove']);
    expect(box.checked).toBe(false);
  });

  it('says so when the browser does not give the permission', async () => {
    render(() => <NotificationOptions permission={permission(false).p} />);
    const box = (await screen.findByTestId('desktop-notifications')) as HTMLInputElement;
    fireEvent.click(box);
    expect(await screen.findByTestId('desktop-notifications-problem')).toBeTruthy();
    expect(box.checked).toBe(false);
    expect((await notificationSettingsStorage.getValue()).desktop).toBe(false);
  });
});
