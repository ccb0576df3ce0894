// Takes checked discussions into a tenant as ordinary writes: each one goes through the store's
// commit with the server's own planner (limits, quota, the page's next seq, the event log) and is
// published on the bus, so people viewing the page see it appear like any other. Authors are the
// tenant's members of the same name, or new members without a token (placeholders an admin can
// give a token later). Each write's broadcastId is derived from the tenant and the record, so a
// second import of the same file is answered as duplicates and adds nothing. If any write is
// refused, the writes this import made are deleted again (and published) and the members it made
// are deleted, so nothing is left half-imported.
import type { DiscussionEventT, WriteFrameT } from '../../lib/protocol';
import { deletionOf, type DeletionTarget } from '../forgetting';
import { DEFAULT_STORE_LIMITS, planWrite, type Actor, type StoreLimits } from '../ops';
import type { CommitResult, Store, User, WritePlanner } from '../store/types';
import { importBroadcastId, type ImportComment, type ImportDiscussion } from './model';

export interface ImportDeps {
  store: Store;
  /** Sends an applied event to the page's live viewers (the bus). */
  publish(tenantId: string, event: DiscussionEventT): Promise<void>;
  limits?: StoreLimits;
}

export interface ImportResult {
  discussions: { imported: number; alreadyThere: number };
  comments: { imported: number; alreadyThere: number };
  /** Members created for authors the team did not have, by name. */
  placeholderMembers: string[];
}

/** A write the store refused; the import was undone. */
export class ImportRefused extends Error {}

const nameKey = (name: string) => name.trim().toLowerCase();

export async function applyImport(
  deps: ImportDeps,
  tenantId: string,
  importer: Actor,
  discussions: ImportDiscussion[],
): Promise<ImportResult> {
  const { store } = deps;
  const limits = deps.limits ?? DEFAULT_STORE_LIMITS;
  const members = new Map<string, User>();
  for (const u of await store.listUsers(tenantId))
    if (!members.has(nameKey(u.name))) members.set(nameKey(u.name), u);
  const placeholderMembers: string[] = [];
  const placeholderIds: string[] = [];
  const memberFor = async (name: string): Promise<User> => {
    let user = members.get(nameKey(name));
    if (!user) {
      user = await store.createUser(tenantId, name.trim());
      members.set(nameKey(name), user);
      placeholderMembers.push(user.name);
      placeholderIds.push(user.id);
    }
    return user;
  };
  const result: ImportResult = {
    discussions: { imported: 0, alreadyThere: 0 },
    comments: { imported: 0, alreadyThere: 0 },
    placeholderMembers,
  };
  // What this import wrote, to take back if a later write is refused.
  const made: DeletionTarget[] = [];

  const commit = async (write: WriteFrameT, comment: ImportComment): Promise<CommitResult> => {
    const author = await memberFor(comment.author);
    const actor: Actor = { user: { id: author.id, name: author.name }, role: 'member' };
    // The planner of a live write, with the comment's own time (and its edit time) in place of now.
    const plan: WritePlanner = (input) => {
      const p = planWrite(write, actor, comment.at, input, limits);
      if (p.ok && comment.editedAt !== undefined) {
        const ev = p.event;
        if (ev.type === 'new-text-chat') ev.chat.comments[0]!.editedAt = comment.editedAt;
        else if (ev.type === 'updated-text-chat' && ev.change.op === 'add-comment')
          ev.change.comment.editedAt = comment.editedAt;
      }
      return p;
    };
    const r = await store.commit(tenantId, write, plan, importer.tokenId ?? null);
    if (r.status === 'applied') await deps.publish(tenantId, r.event).catch(() => undefined);
    return r;
  };

  try {
    const ordered = [...discussions].sort((a, b) => a.comments[0]!.at - b.comments[0]!.at);
    for (const d of ordered) {
      const [opening, ...replies] = d.comments;
      const create: WriteFrameT = {
        type: 'create-chat',
        broadcastId: importBroadcastId(tenantId, 'create', d.id),
        page: d.page,
        chatId: d.id,
        commentId: opening!.id,
        selectors: d.selectors,
        text: opening!.text,
        ...(d.title !== undefined && { title: d.title }),
      };
      const created = await commit(create, opening!);
      if (created.status === 'applied') {
        result.discussions.imported++;
        made.push({ page: d.page, discussionId: d.id });
      } else if (created.status === 'duplicate' || created.code === 'conflict') {
        result.discussions.alreadyThere++;
      } else {
        throw new ImportRefused(`discussion ${d.id} on ${d.page}: ${created.message}`);
      }
      const isNew = created.status === 'applied';
      for (const c of replies) {
        const add: WriteFrameT = {
          type: 'add-comment',
          broadcastId: importBroadcastId(tenantId, 'add', d.id, c.id),
          page: d.page,
          chatId: d.id,
          commentId: c.id,
          text: c.text,
        };
        const r = await commit(add, c);
        if (r.status === 'applied') {
          result.comments.imported++;
          if (!isNew) made.push({ page: d.page, discussionId: d.id, commentId: c.id });
        } else if (r.status === 'duplicate' || r.code === 'conflict') {
          result.comments.alreadyThere++;
        } else {
          throw new ImportRefused(`comment ${c.id} of discussion ${d.id}: ${r.message}`);
        }
      }
    }
  } catch (err) {
    await undo(deps, tenantId, importer, made.reverse());
    // The members this import made go too (unless something has come to name them meanwhile).
    for (const id of placeholderIds) await store.dropUnusedMember(tenantId, id).catch(() => false);
    if (err instanceof ImportRefused) {
      throw new ImportRefused(`${err.message}; nothing was imported`);
    }
    throw err;
  }
  return result;
}

async function undo(
  deps: ImportDeps,
  tenantId: string,
  importer: Actor,
  made: DeletionTarget[],
): Promise<void> {
  const admin: Actor = { ...importer, role: 'admin' };
  for (const m of made) {
    const write = deletionOf(m);
    // The import taking back its own writes: no admin deleted anyone's work, so the audit says nothing.
    const r = await deps.store.commit(tenantId, write, (input) => {
      const plan = planWrite(write, admin, Date.now(), input);
      return plan.ok ? { ...plan, audit: undefined } : plan;
    });
    if (r.status === 'applied') await deps.publish(tenantId, r.event).catch(() => undefined);
  }
}
