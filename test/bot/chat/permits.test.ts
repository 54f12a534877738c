import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ActingContext, Actor, HandlerContext, Permission } from '../../../src/bot/chat/command.js';
import { defineAction, defineCommand, defineFormAction } from '../../../src/bot/chat/command.js';
import { permits } from '../../../src/bot/chat/permits.js';
import type { ChatEvent } from '../../../src/bot/chat/chat-event.js';

const staff: Actor = { userId: 1, username: 'kpatel', email: 'kpatel@example.org', isStaff: true, via: 'email' };
const user: Actor = { userId: 2, username: 'mlee', email: 'mlee@example.org', isStaff: false, via: 'link' };

describe('permits', () => {
  const cases: [Permission, Actor | null, boolean, boolean][] = [
    ['anyone', null, false, true],
    ['linked', null, true, false],
    ['linked', user, false, true],
    ['staff', user, true, false],
    ['staff', staff, false, true],
    ['admin', staff, false, false],
    ['admin', null, true, true],
  ];
  it.each(cases)('%s for actor %o (bot admin: %s) is %s', (permission, actor, isBotAdmin, expected) => {
    expect(permits(permission, { actor, isBotAdmin })).toBe(expected);
  });
});

// The narrowing is a compile-time guarantee: `npm run typecheck` fails if an `@ts-expect-error` below
// stops being an error, i.e. if an `anyone` handler could read `actor.username` without a check, or
// a form action's `run` could lose its typed form.
describe('definition types', () => {
  it('give linked and staff handlers a non-null actor, and the others a nullable one', () => {
    const staffCommand = defineCommand({
      name: 'x', summary: 'x', usage: '/atmo x', options: [], args: z.object({}), permission: 'staff',
      run: async (ctx) => ({ text: ctx.actor.username }),
    });
    const linkedCommand = defineCommand({
      name: 'y', summary: 'y', usage: '/atmo y', options: [], args: z.object({}), permission: 'linked',
      run: async (ctx) => ({ text: ctx.actor.username }),
    });
    const anyoneCommand = defineCommand({
      name: 'z', summary: 'z', usage: '/atmo z', options: [], args: z.object({}), permission: 'anyone',
      // @ts-expect-error an `anyone` handler may run without an Atmosphere account
      run: async (ctx) => ({ text: ctx.actor.username }),
    });
    expect([staffCommand.permission, linkedCommand.permission, anyoneCommand.permission]).toEqual(['staff', 'linked', 'anyone']);
  });

  it('refuse a context of any permission where an acting one is needed', () => {
    const needsActor = (ctx: ActingContext) => ctx.actor.username;
    const widened = (ctx: HandlerContext) =>
      // @ts-expect-error an `anyone` or `admin` context may have no actor
      needsActor(ctx);
    const narrowed = (ctx: HandlerContext<ChatEvent, 'staff'>) => needsActor(ctx);
    expect([typeof widened, typeof narrowed]).toEqual(['function', 'function']);
  });

  it('give a form action its parsed form, and refuse a form on a plain action', () => {
    const withForm = defineFormAction({
      name: 'x:deny', value: z.string(), permission: 'staff',
      form: { title: 'Deny', submitLabel: 'Deny', fields: [{ name: 'reason', label: 'Reason', kind: 'multiline', required: true }] },
      formValues: z.object({ reason: z.string() }),
      run: async (_ctx, _value, form) => ({ text: form.reason.toUpperCase() }),
    });
    const plain = defineAction({
      name: 'x:ok', value: z.string(), permission: 'staff',
      // @ts-expect-error a form needs `defineFormAction` and its `formValues`
      form: withForm.form,
      run: async () => undefined,
    });
    expect([withForm.name, plain.name]).toEqual(['x:deny', 'x:ok']);
  });

  it('give a form prefill what its precheck read, and nothing a precheck does not give', () => {
    const form = { title: 'Approve', submitLabel: 'Approve', fields: [{ name: 'quota', label: 'Quota', kind: 'text' as const }] };
    const checked = defineFormAction({
      name: 'x:approve', value: z.string(), permission: 'staff', form, formValues: z.object({ quota: z.string() }),
      precheck: async (_ctx, value) => ({ asks: `cpu: ${value}` }),
      prefill: async (_ctx, _value, request) => ({ initial: { quota: request.asks } }),
      run: async () => undefined,
    });
    const unchecked = defineFormAction({
      name: 'x:other', value: z.string(), permission: 'staff', form, formValues: z.object({ quota: z.string() }),
      // @ts-expect-error without a precheck there is no record to prefill from
      prefill: async (_ctx, _value, request: { asks: string }) => ({ initial: { quota: request.asks } }),
      run: async () => undefined,
    });
    expect([checked.name, unchecked.name]).toEqual(['x:approve', 'x:other']);
  });
});
