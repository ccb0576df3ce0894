// "Join with an invite link" on the options page: the person pastes the link an admin sent and the
// name their team will see; the background redeems it with the link's server and saves that server
// and the new token as "Save" does (the token never reaches this page). The page then reloads so
// that its settings show what was saved; what was typed stays in the fields until a join succeeds.
import { createSignal, Show } from 'solid-js';
import { browser } from 'wxt/browser';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import { askBackground, type JoinReplyT } from '@/lib/messaging';
import { describeSavedResult } from './Options';

export interface JoinTeamDeps {
  redeem(link: string, name: string): Promise<JoinReplyT>;
  /** After a join: shows the saved settings (reloads the options page), keeping `message` for it. */
  joined(message: string): void;
  /** The message a join left for the reloaded page, read once. */
  takeJoinedMessage(): string | null;
}

const JOINED_KEY = 'collab-chat/joined';

const browserDeps = (): JoinTeamDeps => ({
  redeem: (link, name) =>
    askBackground((m) => browser.runtime.sendMessage(m), { kind: 'redeem-invite', link, name }),
  joined(message) {
    sessionStorage.setItem(JOINED_KEY, message);
    location.reload();
  },
  takeJoinedMessage() {
    const message = sessionStorage.getItem(JOINED_KEY);
    sessionStorage.removeItem(JOINED_KEY);
    return message;
  },
});

/** Plain words for why joining did not work, and what to do. */
export function describeJoinProblem(reply: Extract<JoinReplyT, { ok: false }>): string {
  switch (reply.problem) {
    case 'invalid-link':
      return i18n.t('joinInvalidLink');
    case 'insecure':
      return i18n.t('joinInsecure');
    case 'missing-name':
      return i18n.t('joinMissingName');
    case 'unreachable':
      return i18n.t('joinUnreachable', [isolate(reply.detail ?? '')]);
    case 'invite-unknown':
      return i18n.t('joinInviteUnknown');
    case 'invite-expired':
      return i18n.t('joinInviteExpired');
    case 'invite-used-up':
      return i18n.t('joinInviteUsedUp');
    case 'invite-revoked':
      return i18n.t('joinInviteRevoked');
    case 'rate-limited':
      return i18n.t('joinRateLimited');
    case 'refused':
    case 'failed':
      return i18n.t('joinFailed', [isolate(reply.detail ?? '')]);
  }
}

export function JoinTeam(props: { deps?: JoinTeamDeps }) {
  const deps = props.deps ?? browserDeps();
  const [link, setLink] = createSignal('');
  const [name, setName] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [status, setStatus] = createSignal<{ result: string; text: string } | null>(
    (() => {
      const kept = deps.takeJoinedMessage();
      return kept ? { result: 'joined', text: kept } : null;
    })(),
  );

  const join = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setStatus({ result: 'joining', text: i18n.t('joinJoining') });
    let reply: JoinReplyT;
    try {
      reply = await deps.redeem(link(), name());
    } catch {
      reply = { ok: false, problem: 'failed', detail: i18n.t('joinNoAnswer') };
    }
    setBusy(false);
    if (!reply.ok) {
      setStatus({ result: reply.problem, text: describeJoinProblem(reply) });
      return;
    }
    const joined = i18n.t('joinJoined', [isolate(reply.user.name), isolate(reply.tenant.name)]);
    const text =
      reply.check.result === 'connected' ? joined : `${joined} ${describeSavedResult(reply.check)}`;
    setStatus({ result: 'joined', text });
    setLink('');
    setName('');
    deps.joined(text);
  };

  return (
    <form onSubmit={(e) => void join(e)} data-testid="join-team">
      <fieldset>
        <legend>{i18n.t('joinTitle')}</legend>
        <p>{i18n.t('joinIntro')}</p>
        <label>
          {i18n.t('joinLink')}
          <input
            type="text"
            inputmode="url"
            spellcheck={false}
            autocomplete="off"
            data-testid="invite-link"
            placeholder="https://chat.example.com/invite#cci_…"
            value={link()}
            onInput={(e) => setLink(e.currentTarget.value)}
          />
        </label>
        <label>
          {i18n.t('joinName')}
          <input
            type="text"
            autocomplete="name"
            maxlength={80}
            data-testid="invite-name"
            value={name()}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <small>{i18n.t('joinReplaces')}</small>
        <div class="cc-row">
          <button type="submit" data-testid="join-submit" disabled={busy()}>
            {busy() ? i18n.t('joinJoining') : i18n.t('joinButton')}
          </button>
        </div>
        <Show when={status()}>
          {(s) => (
            <p data-testid="join-status" data-result={s().result} role="status">
              {s().text}
            </p>
          )}
        </Show>
      </fieldset>
    </form>
  );
}
