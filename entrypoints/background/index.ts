export default defineBackground(() => {
  // Filled in by the extension work: one shared WebSocket for all tabs.
});
