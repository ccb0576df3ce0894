// "Your data" on the team page: the person downloads what the server holds of them (JSON: their
// comments, the discussions they started, their tokens without secrets, watches, read positions,
// notifications) and may ask their team's admins to erase it. Both go through the background, which
// holds the token (docs/api.md, "Your own data"); the request shows on the admins' dashboard.
import { createSignal, onMount, Show } from 'solid-js';
import { i18n } from '#i18n';
import type { TeamReplyT } from '@/lib/messaging';
import { problemText } from './TeamView';

export type OwnDataAction = 'export' | 'erasure-status' | 'request-erasure';

export interface OwnDataDeps {
  ask(action: OwnDataAction): Promise<TeamReplyT>;
  /** Hands the person a file (a download from this extension page). */
  save(fileName: string, text: string): void;
}

/** The export's counts, read defensively: the page shows them, never trusts their shape. */
function counted(body: unknown): { comments: number; discussions: number } {
  const b = (body ?? {}) as { comments?: unknown; discussionsStarted?: unknown };
  return {
    comments: Array.isArray(b.comments) ? b.comments.length : 0,
    discussions: Array.isArray(b.discussionsStarted) ? b.discussionsStarted.length : 0,
  };
}

function requestedAtOf(body: unknown): number | null {
  const at = (body as { requestedAt?: unknown } | null)?.requestedAt;
  return typeof at === 'number' ? at : null;
}

export function OwnData(props: { deps: OwnDataDeps }) {
  /** undefined: not known yet; null: no erasure requested. */
  const [requestedAt, setRequestedAt] = createSignal<number | null | undefined>(undefined);
  const [message, setMessage] = createSignal('');
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  let askButton: HTMLButtonElement | undefined;
  let cancelButton: HTMLButtonElement | undefined;

  onMount(() => {
    void props.deps.ask('erasure-status').then((reply) => {
      if (reply.ok) setRequestedAt(requestedAtOf(reply.body));
    });
  });

  const download = async () => {
    setBusy(true);
    setMessage('');
    try {
      const reply = await props.deps.ask('export');
      if (!reply.ok) return setMessage(problemText(reply));
      const stamp = new Date().toISOString().slice(0, 10);
      const name = `collab-chat-my-data-${stamp}.json`;
      props.deps.save(name, JSON.stringify(reply.body, null, 2));
      const n = counted(reply.body);
      setMessage(i18n.t('ownDataSaved', [name, String(n.comments), String(n.discussions)]));
    } finally {
      setBusy(false);
    }
  };

  const request = async () => {
    setBusy(true);
    try {
      const reply = await props.deps.ask('request-erasure');
      setConfirming(false);
      if (!reply.ok) {
        setMessage(problemText(reply));
        askButton?.focus();
        return;
      }
      setRequestedAt(requestedAtOf(reply.body));
      setMessage(i18n.t('ownDataErasureAsked'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="cc-own-data" aria-labelledby="cc-own-data-title">
      <h2 id="cc-own-data-title">{i18n.t('ownDataHeading')}</h2>
      <p>{i18n.t('ownDataIntro')}</p>
      <p>
        <button
          type="button"
          data-testid="own-data-download"
          disabled={busy()}
          onClick={() => void download()}
        >
          {i18n.t('ownDataDownload')}
        </button>
      </p>
      <Show
        when={requestedAt()}
        fallback={
          <Show
            when={confirming()}
            fallback={
              <p>
                <button
                  type="button"
                  data-testid="own-data-ask"
                  ref={askButton}
                  disabled={busy() || requestedAt() === undefined}
                  onClick={() => {
                    setConfirming(true);
                    cancelButton?.focus();
                  }}
                >
                  {i18n.t('ownDataAskErasure')}
                </button>
              </p>
            }
          >
            <div
              role="group"
              aria-labelledby="cc-own-data-confirm"
              class="cc-own-data-confirm"
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  setConfirming(false);
                  askButton?.focus();
                }
              }}
            >
              <p id="cc-own-data-confirm">{i18n.t('ownDataConfirm')}</p>
              <button
                type="button"
                class="cc-danger"
                data-testid="own-data-confirm"
                disabled={busy()}
                onClick={() => void request()}
              >
                {i18n.t('ownDataConfirmYes')}
              </button>{' '}
              <button
                type="button"
                data-testid="own-data-cancel"
                ref={(el) => {
                  cancelButton = el;
                  queueMicrotask(() => el.focus());
                }}
                onClick={() => setConfirming(false)}
              >
                {i18n.t('ownDataConfirmNo')}
              </button>
            </div>
          </Show>
        }
      >
        {(at) => (
          <p class="cc-own-data-erasure-requested" data-testid="own-data-erasure-requested">
            {i18n.t('ownDataErasureRequested', [format.format(at())])}
          </p>
        )}
      </Show>
      <p role="status" aria-live="polite" class="cc-own-data-status" data-testid="own-data-status">
        {message()}
      </p>
    </section>
  );
}
