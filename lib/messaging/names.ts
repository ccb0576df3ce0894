// Names shared by both ends of a runtime port. Kept apart from the zod schemas so that the content
// script can import them without bundling zod (the content script's size budget is 80 KB).

/** The content script's port: page key, selections and highlight clicks; it never carries discussion text. */
export const PAGE_PORT_NAME = 'collab-chat/page';
/**
 * The discussion frame's port (an extension page framed into the tab). The name carries the frame's
 * ticket: `collab-chat/frame#<ticket>`, which the background issued to that tab's content script.
 */
export const FRAME_PORT_PREFIX = 'collab-chat/frame#';
/** The extension page framed into a tab; it alone shows and makes discussions. */
export const FRAME_PAGE = '/frame.html';

/**
 * The keyboard commands of the manifest (`commands`), global to the browser: it routes the key to the
 * background, which relays it to the tab. Each one's description and default keys are in
 * wxt.config.ts; people change the keys in the browser (chrome://extensions/shortcuts, or Firefox's
 * "Manage Extension Shortcuts").
 */
export const COMMANDS = [
  'discuss-selection',
  'toggle-list',
  'next-highlight',
  'previous-highlight',
  'toggle-overlay',
] as const;
export type CommandName = (typeof COMMANDS)[number];
