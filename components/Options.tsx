// The options page: server URL and token (with a "Test connection" done by the background), the
// display settings, and what the page adds at the end (the keyboard shortcuts).
import { createSignal, Show, type JSX } from 'solid-js';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import type { TestConnectionResultT } from '@/lib/messaging';
import { checkServerUrl } from '@/lib/reconnect';
import { serverUrlStorage, themeStorage, topBarCollapsedStorage, type Theme } from '@/lib/storage';

export interface OptionsDeps {
  testConnection(serverUrl: string, token: string): Promise<TestConnectionResultT>;
  /** Where the token is kept, out of content scripts' reach (lib/token-vault.ts). */
  token: { get(): Promise<string>; set(token: string): Promise<void> };
}

/** Plain words for the outcome of "Test connection". */
export function describeTestResult(result: TestConnectionResultT): string {
  switch (result.result) {
    case 'connected':
      return i18n.t('testConnected', [isolate(result.user.name), isolate(result.tenant.name)]);
    case 'token-refused':
      return i18n.t('testTokenRefused');
    case 'unreachable':
      return i18n.t('testUnreachable', [result.detail]);
    case 'insecure':
      return i18n.t('testInsecure');
    case 'invalid-url':
      return i18n.t('testInvalidUrl');
    case 'protocol-mismatch':
      return i18n.t('testProtocol');
    case 'missing-token':
      return i18n.t('testMissingToken');
  }
}

/** `children` go at the end of the page (the shortcuts). */
export function Options(props: { deps: OptionsDeps; children?: JSX.Element }) {
  const [serverUrl, setServerUrl] = createSignal('');
  const [token, setToken] = createSignal('');
  const [theme, setTheme] = createSignal<Theme>('system');
  const [collapsed, setCollapsed] = createSignal(false);
  const [saved, setSaved] = createSignal(false);
  const [testing, setTesting] = createSignal(false);
  const [result, setResult] = createSignal<TestConnectionResultT | null>(null);

  const [loaded, setLoaded] = createSignal(false);
  // The form shows once the stored values are in, so that a late load never overwrites typing.
  void Promise.all([
    serverUrlStorage.getValue(),
    props.deps.token.get(),
    themeStorage.getValue(),
    topBarCollapsedStorage.getValue(),
  ]).then(([url, tok, th, col]) => {
    setServerUrl(url);
    setToken(tok);
    setTheme(th);
    setCollapsed(col);
    setLoaded(true);
  });

  const save = async (event: Event) => {
    event.preventDefault();
    const checked = checkServerUrl(serverUrl());
    if (!checked.ok) {
      setResult({ result: checked.reason });
      return;
    }
    setResult(null);
    await serverUrlStorage.setValue(serverUrl().trim());
    await props.deps.token.set(token().trim());
    setSaved(true);
  };
  const test = async () => {
    setTesting(true);
    setResult(null);
    try {
      setResult(await props.deps.testConnection(serverUrl(), token()));
    } catch (error) {
      setResult({ result: 'unreachable', detail: String(error) });
    } finally {
      setTesting(false);
    }
  };

  return (
    <Show when={loaded()}>
      <main class="cc-options">
        <h1>{i18n.t('optionsTitle')}</h1>
        <p>{i18n.t('optionsIntro')}</p>
        <form onSubmit={save}>
          <fieldset>
            <legend>{i18n.t('optionsServer')}</legend>
            <label>
              {i18n.t('optionsServerUrl')}
              <input
                type="text"
                inputmode="url"
                spellcheck={false}
                data-testid="server-url"
                placeholder="wss://chat.example.com"
                value={serverUrl()}
                onInput={(e) => {
                  setServerUrl(e.currentTarget.value);
                  setSaved(false);
                }}
              />
              <small>{i18n.t('optionsServerUrlHint')}</small>
            </label>
            <label>
              {i18n.t('optionsToken')}
              <input
                type="password"
                autocomplete="off"
                data-testid="token"
                value={token()}
                onInput={(e) => {
                  setToken(e.currentTarget.value);
                  setSaved(false);
                }}
              />
              <small>{i18n.t('optionsTokenHint')}</small>
            </label>
            <div class="cc-row">
              <button type="submit" data-testid="save-settings">
                {i18n.t('optionsSave')}
              </button>
              <button
                type="button"
                data-testid="test-connection"
                disabled={testing()}
                onClick={() => void test()}
              >
                {testing() ? i18n.t('optionsTesting') : i18n.t('optionsTest')}
              </button>
              <Show when={saved()}>
                <span data-testid="save-status" role="status">
                  {i18n.t('optionsSaved')}
                </span>
              </Show>
            </div>
            <Show when={result()}>
              {(r) => (
                <p data-testid="test-result" data-result={r().result} role="status">
                  {describeTestResult(r())}
                </p>
              )}
            </Show>
          </fieldset>
        </form>
        <fieldset>
          <legend>{i18n.t('optionsDisplay')}</legend>
          <label>
            {i18n.t('optionsTheme')}
            <select
              data-testid="theme"
              value={theme()}
              onChange={(e) => {
                const value = e.currentTarget.value as Theme;
                setTheme(value);
                void themeStorage.setValue(value);
              }}
            >
              <option value="system">{i18n.t('themeSystem')}</option>
              <option value="light">{i18n.t('themeLight')}</option>
              <option value="dark">{i18n.t('themeDark')}</option>
            </select>
          </label>
          <label class="cc-row">
            <input
              type="checkbox"
              data-testid="collapsed"
              checked={collapsed()}
              onChange={(e) => {
                setCollapsed(e.currentTarget.checked);
                void topBarCollapsedStorage.setValue(e.currentTarget.checked);
              }}
            />
            {i18n.t('optionsCollapsed')}
          </label>
        </fieldset>
        {props.children}
      </main>
    </Show>
  );
}
