// Puts a person's text on the clipboard, for writes that will not be sent: the asynchronous Clipboard
// API where the frame may use it, else a selected, off-screen field and the copy command (an iframe
// without the clipboard-write permission policy refuses the first).
export async function copyText(text: string, doc: Document = document): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const field = doc.createElement('textarea');
    field.value = text;
    field.setAttribute('readonly', '');
    field.style.position = 'fixed';
    field.style.left = '-10000px';
    const focused = doc.activeElement as HTMLElement | null;
    doc.body.append(field);
    field.select();
    try {
      return doc.execCommand('copy');
    } catch {
      return false;
    } finally {
      field.remove();
      focused?.focus();
    }
  }
}
