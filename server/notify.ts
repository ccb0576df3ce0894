// Who is told of a write: the pure rules of notifications. The planner (ops.ts) says what a write
// may notify (`NotifyPlan`); the store reads, inside the write's transaction, which of those people
// exist (members of the writer's tenant, the discussion's participants, the page's watchers) and
// stores what `recipientsOf` picks, so a notification is made exactly once, with the write.
import type { NotifyFacts, NotifyPlan, NotificationDraft } from './store/types';

/**
 * One notification per person at most, the most specific kind winning: a mention over a reply or a
 * new discussion. Never the writer; only members of the writer's tenant (the facts come from it).
 */
export function recipientsOf(plan: NotifyPlan, facts: NotifyFacts, actorId: string): NotificationDraft[] {
  const out = new Map<string, NotificationDraft>();
  const tell = (userId: string, kind: NotificationDraft['kind']) => {
    if (userId !== actorId && !out.has(userId)) out.set(userId, { userId, kind });
  };
  for (const id of facts.members) tell(id, 'mention');
  if (plan.reply) for (const id of facts.participants) tell(id, 'reply');
  if (plan.newDiscussion) for (const id of facts.watchers) tell(id, 'new-chat');
  if (plan.resolveFor !== null) tell(plan.resolveFor, 'resolve');
  // Sorted: each recipient's inbox row is locked in this order, so two writes never deadlock.
  return [...out.values()].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}
