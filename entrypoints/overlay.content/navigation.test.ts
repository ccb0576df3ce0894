import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchNavigation } from './navigation';

describe('watchNavigation', () => {
  let abort: AbortController;
  const onChange = vi.fn();

  beforeEach(() => {
    vi.useFakeTimers();
    onChange.mockReset();
    abort = new AbortController();
    history.replaceState(null, '', '/start');
  });
  afterEach(() => {
    abort.abort();
    vi.useRealTimers();
    delete (globalThis as { navigation?: EventTarget }).navigation;
  });

  it('re-reads on popstate and hashchange', () => {
    watchNavigation(abort.signal, onChange);
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    expect(onChange).toHaveBeenCalledTimes(2);
  });

  it('notices a pushState of the page’s own (no event) within a second, once', () => {
    watchNavigation(abort.signal, onChange);
    history.pushState(null, '', '/next');
    vi.advanceTimersByTime(999);
    expect(onChange).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onChange).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('listens to the Navigation API where there is one', () => {
    const navigation = new EventTarget();
    (globalThis as { navigation?: EventTarget }).navigation = navigation;
    watchNavigation(abort.signal, onChange);
    navigation.dispatchEvent(new Event('navigatesuccess'));
    expect(onChange).toHaveBeenCalledTimes(1);
  });

  it('stops everything once aborted (the site was turned off)', () => {
    const navigation = new EventTarget();
    (globalThis as { navigation?: EventTarget }).navigation = navigation;
    watchNavigation(abort.signal, onChange);
    abort.abort();
    window.dispatchEvent(new PopStateEvent('popstate'));
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    navigation.dispatchEvent(new Event('navigatesuccess'));
    history.pushState(null, '', '/after');
    vi.advanceTimersByTime(5000);
    expect(onChange).not.toHaveBeenCalled();
  });
});
