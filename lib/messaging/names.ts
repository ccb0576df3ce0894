// Names shared by both ends of a runtime port. Kept apart from the zod schemas so that the content
// script can import them without bundling zod (the content script's size budget is 80 KB).
export const TAB_PORT_NAME = 'collab-chat/tab';
