// The team page: every discussion of the team across pages, newest activity first, with filters
// (started by me, I took part, mentions me, open or resolved, site, a date range) and paging; typing in the search box searches
// comments, quotes and page titles as you type, the matched words marked. Each entry links to its
// page, where the extension shows the discussion. Everything shown is people's text or a page's
// title: rendered as text only, in bidi isolates.
import { shownName } from '@/lib/people';
import { discussionLink } from '@/lib/links';
import { createSignal, For, onCleanup, Show } from 'solid-js';
import { i18n } from '#i18n';
import { isolate } from '@/lib/bidi';
import { siteOf } from '@/lib/page-key';
import type { TeamReplyT } from '@/lib/messaging';
import {
  DiscussionListing,
  SearchAnswer,
  type DiscussionSummaryT,
  type MarkedT,
  type SearchHitT,
} from '@/lib/protocol/team-api';

export interface TeamViewDeps {
  ask(path: 'discussions' | 'search', params: Record<string, string>): Promise<TeamReplyT>;
  openOptions(): void;
  /** Wait after a keystroke before searching, ms. */
  debounceMs?: number;
}

/** One entry, whichever way it was found. */
interface Entry {
  id: string;
  page: string;
  title: string | null;
  quote: MarkedT;
  /**
   * The link that opens the discussion (lib/links), as the inbox's do: whoever reads this page has the
   * extension, which opens the thread.
   */
  link: string;
  titleMarked: MarkedT | null;
  /** The comment to show: a search snippet, or the discussion's opening words. */
  text: MarkedT;
  who: string;
  at: number;
  comments: number | null;
  /** Who resolved it; null while open. */
  resolvedBy: string | null;
}

const plain = (text: string | null): MarkedT => (text ? [{ text, hit: false }] : []);

function fromSummary(d: DiscussionSummaryT): Entry {
  return {
    id: d.id,
    page: d.page,
    title: d.title,
    quote: plain(d.quote),
    link: discussionLink(d.page, d.id),
    titleMarked: null,
    text: plain(d.preview),
    who: shownName(d.creator.name),
    at: d.lastActivityAt,
    comments: d.commentCount,
    resolvedBy: d.resolved ? shownName(d.resolved.by.name) : null,
  };
}

function fromHit(h: SearchHitT): Entry {
  return {
    id: h.chatId,
    page: h.page,
    title: h.title,
    quote: h.quoteMarked,
    link: discussionLink(h.page, h.chatId),
    titleMarked: h.titleMarked,
    text: h.comment?.snippet ?? [],
    who: h.comment ? shownName(h.comment.author.name) : '',
    at: h.comment?.at ?? h.lastActivityAt,
    comments: null,
    resolvedBy: h.resolved ? shownName(h.resolved.by.name) : null,
  };
}

function Marks(props: { text: MarkedT }) {
  return (
    <bdi>
      <For each={props.text}>{(s) => (s.hit ? <mark>{s.text}</mark> : <>{s.text}</>)}</For>
    </bdi>
  );
}

/** A date input's value (YYYY-MM-DD, local) as ms since the epoch; `end` takes the day's last ms. */
function dayBound(value: string, end: boolean): string {
  if (!value) return '';
  const [y, m, d] = value.split('-').map(Number);
  const t = end ? new Date(y!, m! - 1, d! + 1).getTime() - 1 : new Date(y!, m! - 1, d!).getTime();
  return Number.isFinite(t) ? String(t) : '';
}

export function problemText(reply: Extract<TeamReplyT, { ok: false }>): string {
  switch (reply.problem) {
    case 'not-set-up':
      return i18n.t('teamNotSetUp');
    case 'unreachable':
      return i18n.t('teamUnreachable');
    case 'refused':
      return i18n.t('teamRefused', [reply.error]);
    case 'failed':
      return i18n.t('teamFailed', [reply.error]);
  }
}

export function TeamView(props: { deps: TeamViewDeps }) {
  const [query, setQuery] = createSignal('');
  const [mine, setMine] = createSignal(false);
  const [tookPart, setTookPart] = createSignal(false);
  const [mentionsMe, setMentionsMe] = createSignal(false);
  const [state, setState] = createSignal<'' | 'open' | 'resolved'>('');
  const [site, setSite] = createSignal('');
  const [from, setFrom] = createSignal('');
  const [to, setTo] = createSignal('');
  const [entries, setEntries] = createSignal<Entry[]>([]);
  const [next, setNext] = createSignal<string | null>(null);
  const [loading, setLoading] = createSignal(false);
  const [problem, setProblem] = createSignal<string | null>(null);
  /** The problem is one the options fix (no server or token, a refused token). */
  const [fixInOptions, setFixInOptions] = createSignal(false);
  const [searched, setSearched] = createSignal<string | null>(null);
  // Answers can come back out of order while someone types: only the latest request's counts.
  let latest = 0;

  const filters = (): Record<string, string> => ({
    ...(mine() && { mine: '1' }),
    ...(tookPart() && { author: 'me' }),
    ...(mentionsMe() && { mentions: 'me' }),
    ...(state() && { state: state() }),
    ...(site().trim() && { site: site().trim() }),
    from: dayBound(from(), false),
    to: dayBound(to(), true),
  });

  const load = async (more = false) => {
    const id = ++latest;
    const text = query().trim();
    setLoading(true);
    setProblem(null);
    const reply = text
      ? await props.deps.ask('search', { ...filters(), q: text, limit: '30' })
      : await props.deps.ask('discussions', {
          ...filters(),
          limit: '25',
          ...(more && next() ? { cursor: next()! } : {}),
        });
    if (id !== latest) return;
    setLoading(false);
    if (!reply.ok) {
      setProblem(problemText(reply));
      setFixInOptions(reply.problem === 'not-set-up' || reply.problem === 'refused');
      return;
    }
    if (text) {
      const answer = SearchAnswer.safeParse(reply.body);
      if (!answer.success) return setProblem(i18n.t('teamFailed', ['unexpected answer']));
      setEntries(answer.data.hits.map(fromHit));
      setNext(null);
      setSearched(text);
    } else {
      const listing = DiscussionListing.safeParse(reply.body);
      if (!listing.success) return setProblem(i18n.t('teamFailed', ['unexpected answer']));
      const found = listing.data.discussions.map(fromSummary);
      setEntries(more ? [...entries(), ...found] : found);
      setNext(listing.data.next);
      setSearched(null);
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void load(), props.deps.debounceMs ?? 150);
  };
  onCleanup(() => clearTimeout(timer));
  void load();

  const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  return (
    <main class="cc-team">
      <h1>{i18n.t('teamHeading')}</h1>
      <form role="search" class="cc-team-filters" onSubmit={(e) => (e.preventDefault(), void load())}>
        <label class="cc-team-search">
          {i18n.t('teamSearchLabel')}
          <input
            type="search"
            name="q"
            autocomplete="off"
            placeholder={i18n.t('teamSearchPlaceholder')}
            value={query()}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              soon();
            }}
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={mine()}
            onChange={(e) => (setMine(e.currentTarget.checked), void load())}
          />
          {i18n.t('teamFilterMine')}
        </label>
        <label>
          <input
            type="checkbox"
            checked={tookPart()}
            onChange={(e) => (setTookPart(e.currentTarget.checked), void load())}
          />
          {i18n.t('teamFilterTookPart')}
        </label>
        <label>
          <input
            type="checkbox"
            checked={mentionsMe()}
            onChange={(e) => (setMentionsMe(e.currentTarget.checked), void load())}
          />
          {i18n.t('teamFilterMentions')}
        </label>
        <label>
          {i18n.t('teamFilterState')}
          <select
            name="state"
            value={state()}
            onChange={(e) => (setState(e.currentTarget.value as '' | 'open' | 'resolved'), void load())}
          >
            <option value="">{i18n.t('teamStateAll')}</option>
            <option value="open">{i18n.t('teamStateOpen')}</option>
            <option value="resolved">{i18n.t('teamStateResolved')}</option>
          </select>
        </label>
        <label>
          {i18n.t('teamFilterSite')}
          <input
            type="text"
            name="site"
            placeholder="example.com"
            value={site()}
            onInput={(e) => {
              setSite(e.currentTarget.value);
              soon();
            }}
          />
        </label>
        <label>
          {i18n.t('teamFilterFrom')}
          <input
            type="date"
            name="from"
            value={from()}
            onChange={(e) => (setFrom(e.currentTarget.value), void load())}
          />
        </label>
        <label>
          {i18n.t('teamFilterTo')}
          <input
            type="date"
            name="to"
            value={to()}
            onChange={(e) => (setTo(e.currentTarget.value), void load())}
          />
        </label>
      </form>
      <p class="cc-team-status" role="status" aria-live="polite">
        <Show when={problem()} fallback={loading() ? i18n.t('teamLoading') : ''}>
          {problem()}
        </Show>
      </p>
      <Show when={problem() && fixInOptions()}>
        <button type="button" onClick={() => props.deps.openOptions()}>
          {i18n.t('popupOptions')}
        </button>
      </Show>
      <Show when={!loading() && !problem() && entries().length === 0}>
        <p>{searched() ? i18n.t('teamNoMatches') : i18n.t('teamEmpty')}</p>
      </Show>
      <ol class="cc-team-list" aria-label={i18n.t('teamHeading')}>
        <For each={entries()}>
          {(e) => (
            <li class="cc-team-item">
              <a class="cc-team-link" href={e.link} target="_blank" rel="noopener noreferrer">
                <Show
                  when={e.titleMarked ?? (e.title ? plain(e.title) : null)}
                  fallback={<bdi>{e.page}</bdi>}
                >
                  {(t) => <Marks text={t()} />}
                </Show>
              </a>
              <span class="cc-team-site">{siteOf(e.page)}</span>
              <blockquote class="cc-team-quote">
                <Marks text={e.quote} />
              </blockquote>
              <Show when={e.text.length > 0}>
                <p class="cc-team-text">
                  <Marks text={e.text} />
                </p>
              </Show>
              <p class="cc-team-meta">
                <bdi>{e.who}</bdi>
                {' · '}
                <time datetime={new Date(e.at).toISOString()}>{format.format(e.at)}</time>
                <Show when={e.comments !== null}>
                  {' · '}
                  {i18n.t('teamComments', e.comments!)}
                </Show>
                <Show when={e.resolvedBy !== null}>
                  {' · '}
                  <span class="cc-team-resolved" data-testid="team-resolved">
                    {i18n.t('teamResolvedBy', [isolate(e.resolvedBy!)])}
                  </span>
                </Show>
              </p>
            </li>
          )}
        </For>
      </ol>
      <Show when={next()}>
        <button type="button" class="cc-team-more" disabled={loading()} onClick={() => void load(true)}>
          {i18n.t('teamMore')}
        </button>
      </Show>
    </main>
  );
}
