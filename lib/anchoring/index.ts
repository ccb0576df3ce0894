// lib/anchoring: where a discussion sits on a page. Range ↔ W3C selectors, batch anchoring that keeps
// the page responsive, highlights without touching the page DOM, and a watcher that keeps anchors and
// orphans current as the page changes with one shared text index and idle-time slices. DOM only: no extension APIs. See docs/anchoring.md.
export { describe, uniqueContext, MAX_CONTEXT_CHARS, type DescribeOptions } from './describe';
export { anchor, locate, type AnchorOptions } from './anchor';
export {
  anchorAll,
  buildIndex,
  yieldToEventLoop,
  waitForIdle,
  Slicer,
  DEFAULT_BUDGET_MS,
  type AnchorItem,
  type AnchorResult,
  type AnchorAllOptions,
  type AnchorAllOutcome,
  type SchedulingWindow,
  type IdleDeadlineLike,
} from './batch';
export { MATCH, type AnchorMethod, type TextMatch } from './match';
export { TextIndex, normaliseText, type TextIndexOptions } from './text-index';
export { AnchoringError, type AnchoringErrorCode } from './errors';
export { xpathOf, nodeAt } from './xpath';
export {
  Highlighter,
  HIGHLIGHT_LAYERS,
  highlightCss,
  type HighlighterOptions,
  type HighlightWindow,
  type HighlightLike,
  type HighlightRegistryLike,
} from './highlighter';
export {
  Anchorer,
  DEFAULT_DEBOUNCE_MS,
  DEFAULT_MAX_WAIT_MS,
  type AnchorerOptions,
  type AnchorerWindow,
  type AnchorChange,
  type AnchorStatus,
  type AnchorerStats,
} from './anchorer';
