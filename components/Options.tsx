// The options page: server URL and token (with a "Test connection" done by the background), the
// display settings, notifications (components/NotificationOptions.tsx), and what the page adds at the
// end (the keyboard shortcuts).
import { createSignal, Show, type JSX } from 'solid-js';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import type { TestConnectionResultT } from '@/lib/messaging';
import { checkServerUrl } from '@/lib/reconnect';
import { serverUrlStorage, themeStorage, topBarCollapsedStorage, type Theme } from '@/lib/storage';
import { JoinTeam } from './JoinTeam';
import { NotificationOptions, type NotificationPermission } from './NotificationOptions';
import { SignIn, type SignInDeps } from './SignIn';

export interface OptionsDeps {
  /** Tests the values in the fields, without saving them. */
  testConnection(serverUrl: string, token: string): Promise<TestConnectionResultT>;
  /** Checks the settings just saved; the background then shows who they sign in as. */
  checkSaved(): Promise<TestConnectionResultT>;
  /** Where the token is kept, out of content scripts' reach (lib/token-vault.ts). */
  token: { get(): Promise<string>; set(token: string): Promise<void> };
  /** "Sign in with your organisation" (single sign-on); absent, the section is not shown. */
  signIn?: SignInDeps;
  /** The browser's `notifications` permission; without it, no notifications settings are shown. */
  notificationPermission?: NotificationPermission;
}

/**
 * Plain words for what a test of the settings found: what happened and what to do. `saved`: the
 * values tested are the saved ones (else a success says that nothing is saved yet).
 */
export function describeTestResult(result: TestConnectionResultT, saved = false): string {
  switch (result.result) {
    case 'connected':
      return i18n.t(saved ? 'testConnectedSaved' : 'testConnected', [
        isolate(result.user.name),
        isolate(result.tenant.name),
      ]);
    case 'token-refused':
      return i18n.t('testTokenRefused');
    case 'insecure':
      return i18n.t('testInsecure');
    case 'invalid-url':
      return i18n.t('testInvalidUrl');
    case 'protocol-mismatch':
      return i18n.t('testProtocol');
    case 'missing-token':
      return i18n.t('testMissingToken');
    case 'host-not-found':
      return i18n.t('testHostNotFound', [isolate(result.host)]);
    case 'refused':
      return i18n.t('testRefused', [isolate(result.address)]);
    case 'not-collab-chat':
      return i18n.t('testNotCollabChat', [isolate(result.address)]);
    case 'tls-untrusted':
      return i18n.t('testTlsUntrusted', [isolate(result.address), isolate(result.healthUrl)]);
    case 'tls-not-offered':
      return i18n.t('testTlsNotOffered', [isolate(result.address)]);
    case 'starting':
      return i18n.t('testStarting', [isolate(result.address)]);
    case 'no-answer':
      return i18n.t('testNoAnswer', [isolate(result.address), String(result.seconds)]);
    case 'origin-refused':
      return i18n.t('testOriginRefused', [isolate(result.address)]);
    case 'unreachable':
      return i18n.t('testUnreachable', [isolate(result.address), isolate(result.healthUrl)]);
  }
}

/** Plain words for the check that follows "Save". */
export function describeSavedResult(result: TestConnectionResultT): string {
  if (result.result === 'connected')
    return i18n.t('optionsSavedConnected', [isolate(result.user.name), isolate(result.tenant.name)]);
  return i18n.t('optionsSavedProblem', [describeTestResult(result)]);
}

/** `children` go at the end of the page (the shortcuts). */
export function Options(props: { deps: OptionsDeps; children?: JSX.Element }) {
  const [serverUrl, setServerUrl] = createSignal('');
  const [token, setToken] = createSignal('');
  const [theme, setTheme] = createSignal<Theme>('system');
  const [collapsed, setCollapsed] = createSignal(false);
  /** After "Save": checking, then what the check of the saved settings found. */
  const [saved, setSaved] = createSignal<'checking' | TestConnectionResultT | null>(null);
  const [testing, setTesting] = createSignal(false);
  /** What "Test connection" found for the values in the fields, and whether they were the saved ones. */
  const [result, setResult] = createSignal<TestConnectionResultT | null>(null);
  const [resultSaved, setResultSaved] = createSignal(false);
  /** The values as stored, to tell a test of the saved settings from a test of new ones. */
  let stored = { serverUrl: '', token: '' };
  const fieldsAreStored = () => serverUrl().trim() === stored.serverUrl && token().trim() === stored.token;

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
    stored = { serverUrl: url.trim(), token: tok.trim() };
    setTheme(th);
    setCollapsed(col);
    setLoaded(true);
  });

  const edited = () => {
    setSaved(null);
    setResult(null);
  };
  const save = async (event: Event) => {
    event.preventDefault();
    const checked = checkServerUrl(serverUrl());
    if (!checked.ok) {
      setResult({ result: checked.reason });
      return;
    }
    setResult(null);
    const values = { serverUrl: serverUrl().trim(), token: token().trim() };
    await serverUrlStorage.setValue(values.serverUrl);
    // An unchanged token is left as it is: a signed-in session keeps its renewal.
    if (values.token !== stored.token) await props.deps.token.set(values.token);
    stored = values;
    setSaved('checking');
    const outcome = await props.deps
      .checkSaved()
      .catch((): TestConnectionResultT => ({ result: 'no-answer', address: serverUrl().trim(), seconds: 0 }));
    // A newer edit or save has already replaced this one's message.
    if (saved() === 'checking') setSaved(outcome);
  };
  const test = async () => {
    setTesting(true);
    setResult(null);
    setSaved(null);
    try {
      const wasStored = fieldsAreStored();
      // The saved settings are tested by the background with the token as it is now: a signed-in
      // session's token may have been renewed since this page showed it.
      const outcome = wasStored
        ? await props.deps.checkSaved()
        : await props.deps.testConnection(serverUrl(), token());
      setResultSaved(wasStored);
      setResult(outcome);
    } catch {
      setResult({ result: 'no-answer', address: serverUrl().trim(), seconds: 0 });
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
                  edited();
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
                  edited();
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
            </div>
            <Show when={saved()}>
              {(outcome) => (
                <p
                  data-testid="save-status"
                  data-result={
                    outcome() === 'checking' ? 'checking' : (outcome() as TestConnectionResultT).result
                  }
                  role="status"
                >
                  {(() => {
                    const o = outcome();
                    return o === 'checking' ? i18n.t('optionsChecking') : describeSavedResult(o);
                  })()}
                </p>
              )}
            </Show>
            <Show when={result()}>
              {(r) => (
                <p data-testid="test-result" data-result={r().result} role="status">
                  {describeTestResult(r(), resultSaved())}
                </p>
              )}
            </Show>
          </fieldset>
        </form>
        <Show when={props.deps.signIn}>{(deps) => <SignIn deps={deps()} serverUrl={serverUrl()} />}</Show>
        <JoinTeam />
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
        <Show when={props.deps.notificationPermission}>
          {(permission) => <NotificationOptions permission={permission()} />}
        </Show>
        {props.children}
      </main>
    </Show>
  );
}
