// "Sign in with your organisation" on the options page (single sign-on): for the server URL in the
// field above, the background opens the server's identity provider in a window of the browser's
// own and saves that server and the session as "Save" does (no token reaches this page). Signed in,
// the page says as whom and offers "Sign out", which ends the session on the server too. After a
// sign-in or sign-out the page reloads so that its settings show what was saved.
import { createSignal, Show } from 'solid-js';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import type { SignInReplyT, SignOutReplyT } from '@/lib/messaging';
import { describeSavedResult } from './Options';

export interface SignInDeps {
  signIn(serverUrl: string): Promise<SignInReplyT>;
  signOut(): Promise<SignOutReplyT>;
  /** Whether the saved token is a signed-in session's. */
  signedIn(): Promise<boolean>;
  /** Why the last signed-in session ended, when the server ended it (the person signs in again). */
  sessionEnded(): Promise<string | null>;
  /** Shows the saved settings (reloads the options page), keeping the outcome for it. */
  done(outcome: SignInOutcome): void;
  /** The outcome a sign-in or sign-out left for the reloaded page, read once. */
  takeOutcome(): SignInOutcome | null;
}

/** Plain words for why signing in did not work, and what to do. */
export function describeSignInProblem(reply: Extract<SignInReplyT, { ok: false }>): string {
  switch (reply.problem) {
    case 'invalid-url':
      return i18n.t('testInvalidUrl');
    case 'insecure':
      return i18n.t('testInsecure');
    case 'not-configured':
      return i18n.t('ssoNotConfigured');
    case 'unreachable':
      return i18n.t('joinUnreachable', [isolate(reply.detail ?? '')]);
    case 'cancelled':
      return i18n.t('ssoCancelled');
    case 'waiting':
      return i18n.t('ssoWaiting');
    case 'refused':
      return i18n.t('ssoRefused', [isolate(reply.detail ?? '')]);
    case 'failed':
      return i18n.t('ssoFailed', [isolate(reply.detail ?? '')]);
  }
}

export interface SignInOutcome {
  result: 'signed-in' | 'signed-out';
  text: string;
}

export function SignIn(props: { deps: SignInDeps; serverUrl: string }) {
  const [busy, setBusy] = createSignal(false);
  const [signedIn, setSignedIn] = createSignal(false);
  const [status, setStatus] = createSignal<{ result: string; text: string } | null>(props.deps.takeOutcome());
  void props.deps.signedIn().then(setSignedIn, () => setSignedIn(false));
  void props.deps.sessionEnded().then(
    (reason) => {
      if (reason && status() === null)
        setStatus({ result: 'session-ended', text: i18n.t('ssoSessionEnded', [isolate(reason)]) });
    },
    () => {},
  );

  const signIn = async () => {
    setBusy(true);
    setStatus({ result: 'signing-in', text: i18n.t('ssoSigningIn') });
    let reply: SignInReplyT;
    try {
      reply = await props.deps.signIn(props.serverUrl);
    } catch {
      reply = { ok: false, problem: 'failed', detail: i18n.t('joinNoAnswer') };
    }
    setBusy(false);
    if (!reply.ok) {
      setStatus({ result: reply.problem, text: describeSignInProblem(reply) });
      return;
    }
    const signed = i18n.t('ssoSignedIn', [isolate(reply.user.name), isolate(reply.tenant.name)]);
    const text =
      reply.check.result === 'connected' ? signed : `${signed} ${describeSavedResult(reply.check)}`;
    setStatus({ result: 'signed-in', text });
    props.deps.done({ result: 'signed-in', text });
  };
  const signOut = async () => {
    setBusy(true);
    let reply: SignOutReplyT;
    try {
      reply = await props.deps.signOut();
    } catch {
      setBusy(false);
      setStatus({ result: 'failed', text: i18n.t('ssoFailed', [i18n.t('joinNoAnswer')]) });
      return;
    }
    setBusy(false);
    const text = reply.server === 'unreachable' ? i18n.t('ssoSignedOutLocally') : i18n.t('ssoSignedOut');
    setStatus({ result: 'signed-out', text });
    props.deps.done({ result: 'signed-out', text });
  };

  return (
    <fieldset data-testid="sso">
      <legend>{i18n.t('ssoTitle')}</legend>
      <p>{i18n.t('ssoIntro')}</p>
      <div class="cc-row">
        <Show
          when={signedIn()}
          fallback={
            <button
              type="button"
              data-testid="sso-sign-in"
              disabled={busy() || props.serverUrl.trim() === ''}
              onClick={() => void signIn()}
            >
              {busy() ? i18n.t('ssoSigningIn') : i18n.t('ssoSignIn')}
            </button>
          }
        >
          <button type="button" data-testid="sso-sign-out" disabled={busy()} onClick={() => void signOut()}>
            {i18n.t('ssoSignOut')}
          </button>
        </Show>
      </div>
      <Show when={status()}>
        {(s) => (
          <p data-testid="sso-status" data-result={s().result} role="status">
            {s().text}
          </p>
        )}
      </Show>
    </fieldset>
  );
}
