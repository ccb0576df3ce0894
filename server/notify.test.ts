import { describe, expect, it } from 'vitest';
import { recipientsOf } from './notify';
import type { NotifyPlan } from './store/types';

const plan = (p: Partial<NotifyPlan>): NotifyPlan => ({
  actor: { id: 'u-ana', name: 'Ana' },
  mentions: [],
  reply: false,
  newDiscussion: false,
  resolveFor: null,
  commentId: null,
  text: null,
  ...p,
});
const none = { members: [], participants: [], watchers: [] };

describe('recipientsOf', () => {
  it('tells each person once, a mention winning over a reply or a new discussion', () => {
    expect(
      recipientsOf(
        plan({ reply: true, newDiscussion: true }),
        { members: ['u-carla'], participants: ['u-carla', 'u-bruno'], watchers: ['u-bruno', 'u-dora'] },
        'u-ana',
      ),
    ).toEqual([
      { userId: 'u-bruno', kind: 'reply' },
      { userId: 'u-carla', kind: 'mention' },
      { userId: 'u-dora', kind: 'new-chat' },
    ]);
  });

  it('never tells the writer', () => {
    const facts = { members: ['u-ana'], participants: ['u-ana'], watchers: ['u-ana'] };
    expect(
      recipientsOf(plan({ reply: true, newDiscussion: true, resolveFor: 'u-ana' }), facts, 'u-ana'),
    ).toEqual([]);
  });

  it('uses participants and watchers only when the write is a reply or a new discussion', () => {
    const facts = { ...none, participants: ['u-bruno'], watchers: ['u-carla'] };
    expect(recipientsOf(plan({}), facts, 'u-ana')).toEqual([]);
    expect(recipientsOf(plan({ resolveFor: 'u-bruno' }), none, 'u-ana')).toEqual([
      { userId: 'u-bruno', kind: 'resolve' },
    ]);
  });
});
