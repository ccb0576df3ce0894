// Which page each tab shows, so that a page is subscribed while at least one tab shows it and
// unsubscribed when the last one leaves.

export interface TabMove {
  /** A page no tab showed before this move. */
  joined: string | null;
  /** A page that no tab shows any more. */
  left: string | null;
}

export class TabPages {
  private readonly pageByTab = new Map<number, string>();
  private readonly tabsByPage = new Map<string, Set<number>>();

  /** Records that a tab now shows `page` (leaving whatever it showed before). */
  open(tabId: number, page: string): TabMove {
    const previous = this.pageByTab.get(tabId);
    if (previous === page) return { joined: null, left: null };
    const left = previous === undefined ? null : this.detach(tabId, previous);
    this.pageByTab.set(tabId, page);
    let tabs = this.tabsByPage.get(page);
    const joined = tabs ? null : page;
    if (!tabs) this.tabsByPage.set(page, (tabs = new Set()));
    tabs.add(tabId);
    return { joined, left };
  }

  /** Records that a tab shows no page; returns the page if it was the last tab showing it. */
  close(tabId: number): string | null {
    const previous = this.pageByTab.get(tabId);
    if (previous === undefined) return null;
    this.pageByTab.delete(tabId);
    return this.detach(tabId, previous);
  }

  pageOf(tabId: number): string | null {
    return this.pageByTab.get(tabId) ?? null;
  }

  tabsOf(page: string): number[] {
    return [...(this.tabsByPage.get(page) ?? [])];
  }

  pages(): string[] {
    return [...this.tabsByPage.keys()];
  }

  allTabs(): number[] {
    return [...this.pageByTab.keys()];
  }

  private detach(tabId: number, page: string): string | null {
    const tabs = this.tabsByPage.get(page);
    tabs?.delete(tabId);
    if (tabs && tabs.size === 0) {
      this.tabsByPage.delete(page);
      return page;
    }
    return null;
  }
}
